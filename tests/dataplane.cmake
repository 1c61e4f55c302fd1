# The director's dataplane: the pure table/diff core (unit) and the kernel IPVS backend, tested
# against Debian's kernel booted under qemu (vm).
lvsd_unit_test(test_dataplane unit/dataplane_test.cpp)
# lvsd_dataplane for the IPVS attribute codec (no kernel needed).
target_link_libraries(test_dataplane PRIVATE lvsd_dataplane)

# What the dataplane test drivers share: the desired table from the command line, the printout.
add_library(lvsd_apply_tool STATIC tools/apply_tool.cpp)
target_link_libraries(lvsd_apply_tool PUBLIC lvsd_dataplane_core)

# Test driver for the IPVS backend (run inside the guest by tests/vm).
add_executable(ipvs_apply tools/ipvs_apply.cpp)
target_link_libraries(ipvs_apply PRIVATE lvsd_dataplane lvsd_apply_tool)

# The IPVS backend against Debian's own kernel under qemu (TCG): the guest applies sample tables,
# compares them with what ipvsadm reads back, checks idempotence, minimal changes, refusals, and
# NAT and DR traffic through namespaces. Skipped (77) without qemu/busybox-static/ipvsadm; the
# first run downloads the kernel package into /var/cache/lvsd-ipvs-vm.
add_test(NAME vm.ipvs
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/vm/ipvs-vm.sh
                 ${CMAKE_CURRENT_SOURCE_DIR}/vm/guest/ipvs_test.sh $<TARGET_FILE:ipvs_apply>
                 ${CMAKE_CURRENT_SOURCE_DIR}/vm/data)
set_tests_properties(vm.ipvs PROPERTIES LABELS vm SKIP_RETURN_CODE 77 TIMEOUT 600)

# lvs-director itself driving IPVS in the guest: apply, restart without flush, reload by diff.
add_test(NAME vm.director
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/vm/ipvs-vm.sh
                 ${CMAKE_CURRENT_SOURCE_DIR}/vm/guest/director_test.sh $<TARGET_FILE:lvs-director>
                 ${CMAKE_CURRENT_SOURCE_DIR}/vm/data)
set_tests_properties(vm.director PROPERTIES LABELS vm SKIP_RETURN_CODE 77 TIMEOUT 600)
# Maglev consistent hashing: pure, no kernel.
lvsd_unit_test(test_maglev unit/maglev_test.cpp)
target_link_libraries(test_maglev PRIVATE lvsd_dataplane_core)

# Test driver for the nftables backend (tests/integration/nft_dataplane.sh).
add_executable(nft_apply tools/nft_apply.cpp)
target_link_libraries(nft_apply PRIVATE lvsd_dataplane_nft lvsd_apply_tool)

# The nftables backend's pure part (stage, render, parse) and the backend choice: no kernel.
lvsd_unit_test(test_nft_model unit/nft_model_test.cpp)
target_link_libraries(test_nft_model PRIVATE lvsd_dataplane_select)
