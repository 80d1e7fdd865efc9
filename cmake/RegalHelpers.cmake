# Warnings live on one INTERFACE target that every regal target links.
add_library(regal_warnings INTERFACE)
target_compile_options(regal_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Wcast-align -Woverloaded-virtual)
if(REGAL_WERROR)
  target_compile_options(regal_warnings INTERFACE -Werror)
endif()
add_library(regal::warnings ALIAS regal_warnings)

add_library(regal_sanitize INTERFACE)
if(REGAL_SANITIZE)
  target_compile_options(regal_sanitize INTERFACE -fsanitize=${REGAL_SANITIZE} -fno-omit-frame-pointer)
  target_link_options(regal_sanitize INTERFACE -fsanitize=${REGAL_SANITIZE})
endif()

# regal_add_library(<module> SOURCES ... [DEPS ...] [PRIVATE_DEPS ...]) defines
# regal::<module>. DEPS are what its public headers need; PRIVATE_DEPS only its
# sources (for a static library CMake still links them into the binaries, but
# their include paths and flags stay inside).
function(regal_add_library module)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(regal_${module} STATIC ${ARG_SOURCES})
  add_library(regal::${module} ALIAS regal_${module})
  target_include_directories(regal_${module} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(regal_${module} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS} regal_warnings regal_sanitize)
  set_target_properties(regal_${module} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# regal_add_test(<name> SOURCES ... [DEPS ...] [LABELS ...]) registers a GoogleTest binary with CTest.
function(regal_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
                        regal_warnings regal_sanitize)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}")
endfunction()
