# The director's dataplane: the pure table/diff core (unit) and the kernel IPVS backend, tested
# against Debian's kernel booted under qemu (vm).
lvsd_unit_test(test_dataplane unit/dataplane_test.cpp)
target_link_libraries(test_dataplane PRIVATE lvsd_dataplane_core)

# Test driver for the IPVS backend (run inside the guest by tests/vm).
add_executable(ipvs_apply tools/ipvs_apply.cpp)
target_link_libraries(ipvs_apply PRIVATE lvsd_dataplane)
