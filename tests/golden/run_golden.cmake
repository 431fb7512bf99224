# Runs shapelint on one golden case and compares stdout and the exit code with the expected
# file (whose first line is "exit: N"). The version string is normalised.
separate_arguments(arg_list UNIX_COMMAND "${ARGS}")
set(ENV{COLUMNS} 80)
set(ENV{NO_COLOR} 1)
# The github format would append to the step summary of a surrounding workflow.
unset(ENV{GITHUB_STEP_SUMMARY})
execute_process(
  COMMAND ${BINARY} ${arg_list} --format ${FORMAT} --color never
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE code)
# The tool's own version, wherever a format prints it, becomes "0.0.0-golden".
execute_process(COMMAND ${BINARY} --version OUTPUT_VARIABLE version_line)
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+[^ \n]*" version "${version_line}")
string(REPLACE "\"${version}\"" "\"0.0.0-golden\"" out "${out}")
set(actual "exit: ${code}\n${out}")
if(DEFINED ENV{UPDATE_GOLDEN})
  file(WRITE ${EXPECTED} "${actual}")
  message(STATUS "rewrote ${EXPECTED}")
  return()
endif()
if(NOT EXISTS ${EXPECTED})
  message(FATAL_ERROR "no expected file ${EXPECTED}; run UPDATE_GOLDEN=1 ctest -R golden")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${EXPECTED}.actual "${actual}")
  execute_process(COMMAND diff -u ${EXPECTED} ${EXPECTED}.actual)
  message(FATAL_ERROR "output differs from ${EXPECTED} (actual output in ${EXPECTED}.actual)")
endif()
