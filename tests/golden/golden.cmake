# Golden tests: every case in cases.txt × every format, through the real binary.
# `UPDATE_GOLDEN=1 ctest -R golden` rewrites the expected files.
set(SHAPELINT_GOLDEN_FORMATS table json compact sarif github junit markdown dot mermaid)
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

# ../shared is beside the repository on developers' machines and in CI; skipped without it.
add_test(NAME "golden: every SARIF output validates against the official SARIF 2.1.0 schema"
  COMMAND ${SHAPELINT_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/validate_sarif.py
    ${PROJECT_SOURCE_DIR}/../shared/schemas-external/sarif-schema-2.1.0.json
    ${CMAKE_CURRENT_LIST_DIR}/expected)
set_tests_properties("golden: every SARIF output validates against the official SARIF 2.1.0 schema"
  PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME "golden: every JUnit output is well-formed XML whose counts add up"
  COMMAND ${SHAPELINT_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/check_outputs.py junit
    ${CMAKE_CURRENT_LIST_DIR}/expected)
add_test(NAME "golden: every dot output renders with Graphviz"
  COMMAND ${SHAPELINT_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/check_outputs.py dot
    ${CMAKE_CURRENT_LIST_DIR}/expected)
set_tests_properties("golden: every dot output renders with Graphviz"
  PROPERTIES SKIP_RETURN_CODE 77)
# Mermaid's own parser, when its npm packages are installed in <build>/mermaid-check:
#   npm install --prefix build/mermaid-check mermaid@10 jsdom@22
find_program(SHAPELINT_NODE NAMES node nodejs)
if(SHAPELINT_NODE)
  add_test(NAME "golden: every mermaid output parses with Mermaid"
    COMMAND ${SHAPELINT_NODE} ${CMAKE_CURRENT_LIST_DIR}/check_mermaid.mjs
      ${PROJECT_BINARY_DIR}/mermaid-check ${CMAKE_CURRENT_LIST_DIR}/expected)
  set_tests_properties("golden: every mermaid output parses with Mermaid"
    PROPERTIES SKIP_RETURN_CODE 77)
endif()

# The pre-commit hook with the real pre-commit, and the CI examples of docs/ci/ run on the
# samples; each is skipped (exit 77) when its tool (pre-commit, PyYAML) is not installed.
add_test(NAME "pre-commit hook: fails on a broken model, passes a clean one and package.json"
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/check_precommit_hook.sh ${PROJECT_SOURCE_DIR}
    $<TARGET_FILE_DIR:shapelint>)
add_test(NAME "CI examples in docs/ci produce what their CI reads"
  COMMAND ${SHAPELINT_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/check_ci_examples.py
    ${PROJECT_SOURCE_DIR} $<TARGET_FILE_DIR:shapelint>
    ${PROJECT_SOURCE_DIR}/../shared/schemas-external/sarif-schema-2.1.0.json)
set_tests_properties(
  "pre-commit hook: fails on a broken model, passes a clean one and package.json"
  "CI examples in docs/ci produce what their CI reads"
  PROPERTIES SKIP_RETURN_CODE 77)
