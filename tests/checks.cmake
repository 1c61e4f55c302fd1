# Health checkers: unit tests (pure state machine, health → table, probes against in-process
# loopback servers incl. TLS) and the driver for the lab test tests/integration/checks.sh.
lvsd_unit_test(test_checks unit/checks_test.cpp)
target_link_libraries(test_checks PRIVATE lvsd_checks)

# Loads a keepalived.conf, runs its checkers and prints every state change; built next to the
# other test tools so the lab script finds it from $LVS_REALSERVER's build tree.
add_executable(check_run tools/check_run.cpp)
target_link_libraries(check_run PRIVATE lvsd_checks)
set_target_properties(check_run PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/tools)
