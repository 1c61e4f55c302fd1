# Debian packages, made by `cpack -G DEB` in the build dir: one package per CPack component group.
#   lvsd-director    component "director", plus every install() rule without a COMPONENT
#                    ("Unspecified": lvsctl, lvs-genhash and whatever else the director side adds)
#   lvsd-realserver  component "realserver"
# Maintainer scripts and conffiles lists: packaging/deb/<package>/. Man pages: docs/man/.
# Included from the top CMakeLists.txt, before include(CPack) (which lists the components).

set(LVSD_DEB_DIR ${PROJECT_SOURCE_DIR}/packaging/deb)
set(LVSD_DEB_OUT ${PROJECT_BINARY_DIR}/packaging)

# Man pages and changelogs are shipped gzip -9n (no name or time stamp: reproducible, lintian).
function(lvsd_gzip_install src name dest component)
  configure_file(${src} ${LVSD_DEB_OUT}/${component}/${name} @ONLY)
  set(gz ${LVSD_DEB_OUT}/${component}/${name}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND sh -c "gzip -9n < \"$1\" > \"$2\"" gzip ${LVSD_DEB_OUT}/${component}/${name} ${gz}
    DEPENDS ${LVSD_DEB_OUT}/${component}/${name} VERBATIM)
  set_property(GLOBAL APPEND PROPERTY LVSD_GZ_FILES ${gz})
  install(FILES ${gz} DESTINATION ${dest} COMPONENT ${component})
endfunction()

lvsd_gzip_install(${PROJECT_SOURCE_DIR}/docs/man/lvs-director.8 lvs-director.8 ${CMAKE_INSTALL_MANDIR}/man8 director)
lvsd_gzip_install(${PROJECT_SOURCE_DIR}/docs/man/lvs-realserver.8 lvs-realserver.8
                  ${CMAKE_INSTALL_MANDIR}/man8 realserver)
# Tools of the director side, each with its man page when both the target and the page exist.
foreach(tool_section lvsctl:8 lvs-genhash:1 lvs-genhash:8)
  string(REPLACE ":" ";" ts ${tool_section})
  list(GET ts 0 tool)
  list(GET ts 1 section)
  set(page ${PROJECT_SOURCE_DIR}/docs/man/${tool}.${section})
  if(TARGET ${tool} AND EXISTS ${page})
    lvsd_gzip_install(${page} ${tool}.${section} ${CMAKE_INSTALL_MANDIR}/man${section} director)
  endif()
endforeach()
foreach(comp director realserver)
  set(docdir ${CMAKE_INSTALL_DATADIR}/doc/lvsd-${comp})
  lvsd_gzip_install(${LVSD_DEB_DIR}/changelog.in changelog ${docdir} ${comp})
  install(FILES ${LVSD_DEB_DIR}/copyright ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${docdir}
          COMPONENT ${comp})
endforeach()
get_property(lvsd_gz_files GLOBAL PROPERTY LVSD_GZ_FILES)
add_custom_target(lvsd_packaging_files ALL DEPENDS ${lvsd_gz_files})

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_COMPONENT_DIRECTOR_GROUP director)
set(CPACK_COMPONENT_UNSPECIFIED_GROUP director)
set(CPACK_COMPONENT_REALSERVER_GROUP realserver)

set(CPACK_DEBIAN_PACKAGE_SOURCE lvsd)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Binaries stripped (the build keeps its debug info); dpkg-shlibdeps adds the library Depends.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Maintainer scripts call deb-systemd-helper and update-rc.d (guarded, but then nothing is enabled).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_DIRECTOR_PACKAGE_NAME lvsd-director)
set(CPACK_DEBIAN_DIRECTOR_DESCRIPTION "LVS director: VRRP failover and virtual servers (keepalived.conf)
lvs-director runs on the load balancers of an LVS cluster. It reads
keepalived.conf syntax (/etc/lvsd/lvsd.conf, else the file of keepalived),
elects a master with VRRP (v2 and v3, IPv4 and IPv6, interoperable with
keepalived), holds the virtual IPs on the master and keeps the kernel's IPVS
table in line with the configured virtual servers.
.
The service is enabled at install but not started while /etc/lvsd/lvsd.conf
is the shipped example.")
set(CPACK_DEBIAN_DIRECTOR_PACKAGE_CONTROL_EXTRA
    ${LVSD_DEB_DIR}/lvsd-director/conffiles ${LVSD_DEB_DIR}/lvsd-director/postinst
    ${LVSD_DEB_DIR}/lvsd-director/prerm ${LVSD_DEB_DIR}/lvsd-director/postrm)

set(CPACK_DEBIAN_REALSERVER_PACKAGE_NAME lvsd-realserver)
set(CPACK_DEBIAN_REALSERVER_DESCRIPTION "LVS real server agent: VIPs on lo, ARP sysctls, readiness
lvs-realserver prepares a real server behind an LVS director for direct
routing or tunnelling: the virtual IPs on lo (or tunl0), arp_ignore and
arp_announce set, and exactly the values it found restored on stop. Run as a
service it keeps that state, checks the local services and answers HAProxy's
agent-check protocol. It replaces the classic /etc/init.d/realserver script.
.
The service is enabled at install but not started while
/etc/lvsd/realserver.conf is the shipped example.")
set(CPACK_DEBIAN_REALSERVER_PACKAGE_CONTROL_EXTRA
    ${LVSD_DEB_DIR}/lvsd-realserver/conffiles ${LVSD_DEB_DIR}/lvsd-realserver/postinst
    ${LVSD_DEB_DIR}/lvsd-realserver/prerm ${LVSD_DEB_DIR}/lvsd-realserver/postrm)
