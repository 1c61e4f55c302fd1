# Packaging: the .debs installed, run, removed and purged in a fresh Debian 12 root (debootstrap,
# cached in /var/cache/lvsd-debootstrap). The test makes the .debs itself with cpack from this
# build dir, into its scratch dir. Root needed; exit 77 (skipped) without debootstrap or the mirror.
# About 15-20 s with the cached root; the first run debootstraps (about 70 s here, network).
add_test(NAME pkg.deb COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/pkg/deb_install.sh ${PROJECT_BINARY_DIR})
set_tests_properties(pkg.deb PROPERTIES LABELS pkg TIMEOUT 1800 SKIP_RETURN_CODE 77)

# Ansible: ansible-lint on ansible/, then ansible/site.yml deploys the .debs (cpack from this build
# dir) over SSH to four Debian 12 hosts (overlay roots, each in its own namespaces): idempotent
# second run, served through the VIP, a bad variable fails at validation, failover. Shares the
# debootstrap cache with pkg.deb (a second tarball, the lab hosts' base). Root needed; exit 77
# (skipped) without debootstrap or the mirror (first run only). About 1-2 min with the caches warm.
add_test(NAME pkg.ansible COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/pkg/ansible_lab.sh ${PROJECT_BINARY_DIR})
set_tests_properties(pkg.ansible PROPERTIES LABELS pkg TIMEOUT 1800 SKIP_RETURN_CODE 77)
