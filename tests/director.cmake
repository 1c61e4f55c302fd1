# The director's configuration: unit tests of the parser and checks and of the lvs-director
# command line, the keepalived sample corpus (integration) and the fuzzer (fuzz).
set(LVSD_FIXTURES_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)

lvsd_unit_test(test_director_config unit/director_config_test.cpp)
target_link_libraries(test_director_config PRIVATE lvsd_director_config)
target_compile_definitions(test_director_config PRIVATE LVSD_FIXTURES="${LVSD_FIXTURES_DIR}")

lvsd_unit_test(test_director_cli unit/director_cli_test.cpp)
target_link_libraries(test_director_cli PRIVATE nlohmann_json::nlohmann_json)
target_compile_definitions(test_director_cli PRIVATE LVSD_FIXTURES="${LVSD_FIXTURES_DIR}"
                           LVS_DIRECTOR="$<TARGET_FILE:lvs-director>")
add_dependencies(test_director_cli lvs-director)

# keepalived and lvs-director must agree on every sample keepalived ships and on our own corpus
# (needs keepalived; skipped without it).
add_test(NAME integration.keepalived_samples
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/corpus/keepalived_samples.sh $<TARGET_FILE:lvs-director>
                 /usr/share/doc/keepalived/samples ${LVSD_FIXTURES_DIR}/keepalived
                 ${LVSD_FIXTURES_DIR}/keepalived/corpus)
set_tests_properties(integration.keepalived_samples PROPERTIES
                     LABELS integration SKIP_RETURN_CODE 77 TIMEOUT 900)

# Builds with clang++ itself (libFuzzer needs it) and runs for 60 s; `ctest -L fuzz`.
add_test(NAME fuzz.conf
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/run.sh 60 ${CMAKE_BINARY_DIR}/fuzz)
set_tests_properties(fuzz.conf PROPERTIES LABELS fuzz SKIP_RETURN_CODE 77 TIMEOUT 900)

# Notify scripts, vrrp_script tracking and mail text; runs real /bin/sh scripts (as nobody when
# root).
lvsd_unit_test(test_notify unit/notify_test.cpp)
target_link_libraries(test_notify PRIVATE lvsd_notify)

# Driver for tests/integration/notify_smtp.sh; built next to the other tools so the lab script
# finds it from $LVS_REALSERVER's build tree.
add_executable(notify_send tools/notify_send.cpp)
target_link_libraries(notify_send PRIVATE lvsd_notify)
set_target_properties(notify_send PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/tools)
