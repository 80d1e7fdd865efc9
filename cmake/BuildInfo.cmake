# Run at build time (cmake -P): writes build_info.h with the source's git
# commit, dirty flag and, when dirty, the first 12 hex digits of the SHA-256
# of `git diff HEAD` (which uncommitted changes: two dirty builds of one commit
# with the same changes are the same source), rewriting it only when they change.
execute_process(COMMAND git -C "${SRC}" rev-parse HEAD OUTPUT_VARIABLE commit
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  set(commit "unknown")
endif()
execute_process(COMMAND git -C "${SRC}" status --porcelain --untracked-files=no OUTPUT_VARIABLE changes
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
set(changes_hash "")
if(changes)
  set(dirty "true")
  execute_process(COMMAND git -C "${SRC}" diff HEAD --binary --no-ext-diff --no-color OUTPUT_VARIABLE diff ERROR_QUIET)
  string(SHA256 diff_hash "${diff}")
  string(SUBSTRING "${diff_hash}" 0 12 changes_hash)
else()
  set(dirty "false")
endif()
set(content "#pragma once\n#define REGAL_GIT_COMMIT \"${commit}\"\n#define REGAL_GIT_DIRTY ${dirty}\n#define REGAL_GIT_CHANGES \"${changes_hash}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE "${OUT}" "${content}")
endif()
