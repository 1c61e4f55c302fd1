# The director's configuration model: parser and checks, and the lvs-director command line.
set(LVSD_FIXTURES_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)

lvsd_unit_test(test_director_config unit/director_config_test.cpp)
target_link_libraries(test_director_config PRIVATE lvsd_director_config)
target_compile_definitions(test_director_config PRIVATE LVSD_FIXTURES="${LVSD_FIXTURES_DIR}")

lvsd_unit_test(test_director_cli unit/director_cli_test.cpp)
target_link_libraries(test_director_cli PRIVATE nlohmann_json::nlohmann_json)
target_compile_definitions(test_director_cli PRIVATE LVSD_FIXTURES="${LVSD_FIXTURES_DIR}"
                           LVS_DIRECTOR="$<TARGET_FILE:lvs-director>")
add_dependencies(test_director_cli lvs-director)
