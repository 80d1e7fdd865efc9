#pragma once
// The automata core in one include: alphabets, regex parsing, minimal DFAs,
// counting, sampling and serialisation. No torch here.
#include "fsm/alphabet.h"
#include "fsm/compile.h"
#include "fsm/count.h"
#include "fsm/dfa.h"
#include "fsm/error.h"
#include "fsm/regex.h"
#include "fsm/serialize.h"
#include "fsm/substitution.h"
#include "fsm/task.h"
