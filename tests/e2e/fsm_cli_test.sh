#!/usr/bin/env bash
# The fsm tool as a user runs it: output formats, exit codes, error lines.
set -uo pipefail
FSM=${1:?usage: fsm_cli_test.sh path/to/fsm}
source "$(dirname "$0")/../lib.sh"
contains() {  # contains NAME NEEDLE HAYSTACK
  case "$3" in *"$2"*) printf 'ok   %s\n' "$1" ;; *) printf 'FAIL %s\n  %q not in %q\n' "$1" "$2" "$3"; failures=$((failures + 1)) ;; esac
}

parity='(b*ab*a)*b*'
summary=$("$FSM" --regex "$parity" --alphabet ab)
contains "summary states" "states     2 (minimal; 1 accepting, 0 dead)" "$summary"
contains "summary count at 10" "n=10  512 of 1024" "$summary"

check "classify" "$(printf '1\n1\n1\n0\n0\n')" "$(printf '\naab\naa\nab\nabc\n' | "$FSM" -r "$parity" -a ab --classify)"
check "count" "$(printf '0 1\n1 2\n2 3\n3 5\n4 8\n')" "$("$FSM" -r '~(.*aa.*)' -a ab --count 4)"
big=$("$FSM" -r '(a|b)*' -a ab --count 100 | tail -n 1)
check "count is exact" "100 1267650600228229401496703205376" "$big"

first=$("$FSM" -r "$parity" -a ab --sample 20 --length 15 --seed 4)
second=$("$FSM" -r "$parity" -a ab --sample 20 --length 15 --seed 4)
check "sample reproducible" "$first" "$second"
check "samples accepted" "$(printf '1%.0s\n' $(seq 20))" "$(printf '%s\n' "$first" | "$FSM" -r "$parity" -a ab --classify)"
rejected=$("$FSM" -r "$parity" -a ab --sample 20 --length 15 --reject --seed 4)
check "rejected samples rejected" "$(printf '0%.0s\n' $(seq 20))" "$(printf '%s\n' "$rejected" | "$FSM" -r "$parity" -a ab --classify)"

json=$("$FSM" -r 'a+' -a ab --json)
contains "json hash" '"hash":' "$json"
contains "json regex" '"regex": "a+"' "$json"
contains "dot" "digraph fsm" "$("$FSM" -r 'a+' -a ab --dot)"
check "equal languages, equal json" "$("$FSM" -r '(a|b)*' -a ab --json | grep hash)" "$("$FSM" -r '(a*b*)*' -a ab --json | grep hash)"

# k-class tasks: classes by label, counts per class, sampling by class.
check "classify a task" "$(printf '2\n0\n-\n-\n')" \
  "$(printf '1p2x3\n2m3x4\n12\nq\n' | "$FSM" --generator modular_arithmetic --classify)"
check "count per class" "$(printf 'n 0 1 2\n0 1 0 0\n1 1 1 1\n2 3 3 3\n')" \
  "$("$FSM" --generator cycle_navigation --n 3 --count 2)"
drawn=$("$FSM" --generator cycle_navigation --sample 10 --length 7 --class 3 --seed 2)
check "class samples are of that class" "$(printf '3%.0s\n' $(seq 10))" \
  "$(printf '%s\n' "$drawn" | "$FSM" --generator cycle_navigation --classify)"
eo=(--class "even=(b*ab*a)*b*" --class "odd=b*a(b*ab*a)*b*" -a ab)
check "classes by regex" "$(printf 'even\nodd\neven\n')" "$(printf '\nab\naba\n' | "$FSM" "${eo[@]}" --classify)"
contains "task json labels" '"labels": [' "$("$FSM" "${eo[@]}" --json)"
"$FSM" --generator modular_arithmetic --n 3 --operators px --json > /tmp/fsm_cli_task.$$.json
check "labelled file reloads" "$("$FSM" --generator modular_arithmetic --n 3 --operators px --count 5)" \
  "$("$FSM" --fsm /tmp/fsm_cli_task.$$.json --count 5)"
rm -f /tmp/fsm_cli_task.$$.json

expect_error() {  # expect_error NAME EXPECTED_LINE ARGS...
  local name=$1 line=$2
  shift 2
  local out err rc
  out=$("$FSM" "$@" 2>/tmp/fsm_cli_err.$$); rc=$?
  err=$(cat /tmp/fsm_cli_err.$$); rm -f /tmp/fsm_cli_err.$$
  check "$name: exit 2" 2 "$rc"
  check "$name: message" "$line" "$err"
  check "$name: no stdout" "" "$out"
}
expect_error "bad symbol" "error: --regex: symbol 'c' is not in the alphabet \"ab\" (column 3: 'c')" -r 'abc' -a ab
expect_error "unbalanced" "error: --regex: missing ')' for the '(' opened here (column 2: '(b')" -r 'a(b' -a ab
expect_error "bad repeat" "error: --regex: repeat bounds are reversed: min is greater than max (column 2: '{3,1}')" -r 'a{3,1}' -a ab
expect_error "bad alphabet" "error: --alphabet: alphabet symbol 'a' appears twice in \"aba\" (column 3: 'a')" -r 'a' -a aba
expect_error "budget" "error: --regex: the DFA needs more than 100000 states (max_states)" -r '(a|b)*a(a|b){20}' -a ab
expect_error "no strings" "error: the language has no accepted strings of length 3" -r '(ab)*' -a ab --sample 2 --length 3
expect_error "unknown flag" "error: unrecognised option '--frobnicate' (see --help)" -r a -a ab --frobnicate
expect_error "missing regex" "error: --regex and --alphabet are required (see --help)" -a ab
expect_error "overlapping classes" "error: --class: classes 'x' and 'y' overlap: both match 'b'" --class 'x=a*b' --class 'y=(a|b)*b' -a ab
expect_error "task sample without class" "error: --sample of a task needs --class C (one of its classes)" --generator cycle_navigation --sample 2 --length 3
expect_error "unknown class" "error: --class: no class 'z' (the classes: 0, 1, 2)" --generator cycle_navigation --n 3 --sample 2 --length 3 --class z
expect_error "bad modulus" "error: modular_arithmetic: n (the modulus) must lie in 2..10 (got 12)" --generator modular_arithmetic --n 12


[ "$failures" -eq 0 ]
