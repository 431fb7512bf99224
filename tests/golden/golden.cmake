# Golden tests: every case in cases.txt × every format, through the real binary.
# `UPDATE_GOLDEN=1 ctest -R golden` rewrites the expected files.
set(SHAPELINT_GOLDEN_FORMATS table json compact)
file(STRINGS ${CMAKE_CURRENT_LIST_DIR}/cases.txt golden_lines REGEX "^[^#].*\\|")
foreach(line ${golden_lines})
  string(FIND "${line}" "|" bar)
  string(SUBSTRING "${line}" 0 ${bar} name)
  math(EXPR after "${bar} + 1")
  string(SUBSTRING "${line}" ${after} -1 args)
  foreach(format ${SHAPELINT_GOLDEN_FORMATS})
    add_test(NAME "golden: ${name}.${format}"
      COMMAND ${CMAKE_COMMAND}
        -DBINARY=$<TARGET_FILE:shapelint>
        -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
        -DARGS=${args}
        -DFORMAT=${format}
        -DEXPECTED=${CMAKE_CURRENT_LIST_DIR}/expected/${name}.${format}
        -P ${CMAKE_CURRENT_LIST_DIR}/run_golden.cmake)
  endforeach()
endforeach()

find_program(SHAPELINT_PYTHON3 NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
add_test(NAME "golden: every JSON report validates against schemas/report.schema.json"
  COMMAND ${SHAPELINT_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/validate_schema.py
    ${PROJECT_SOURCE_DIR}/schemas/report.schema.json ${CMAKE_CURRENT_LIST_DIR}/expected)
