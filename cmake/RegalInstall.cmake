# `cmake --install build --prefix P` (make install PREFIX=P):
#   P/bin/{sweep,aggregate,fsm}
#   P/share/regal/{slurm,sweeps}/        sbatch templates, ready specs, sweeps/experiments/
#   P/share/regal/modulefiles/regal/<version>.lua   an environment module (Lmod)
#   P/share/doc/regal/                   README and docs/
# and CPack's .deb (cpack -G DEB in the build folder) with its Debian
# dependencies found by dpkg-shlibdeps.
include(GNUInstallDirs)

# Installed binaries find LibTorch wherever the build found it (a pip wheel's
# lib folder is not on the loader's path).
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH ON)
set_target_properties(sweep regal-run aggregate fsm PROPERTIES INSTALL_RPATH_USE_LINK_PATH ON)

install(TARGETS sweep regal-run aggregate fsm RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS slurm/sweep.sbatch slurm/array.sbatch slurm/submit.sh DESTINATION ${CMAKE_INSTALL_DATADIR}/regal/slurm)
install(DIRECTORY sweeps/ DESTINATION ${CMAKE_INSTALL_DATADIR}/regal/sweeps FILES_MATCHING PATTERN "*.toml")
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
# The module file names the prefix the files were installed to.
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/cmake/regal.lua.in\"
                 \"\$ENV{DESTDIR}\${prefix}/${CMAKE_INSTALL_DATADIR}/regal/modulefiles/regal/${PROJECT_VERSION}.lua\" @ONLY)
  message(STATUS \"Installing: \$ENV{DESTDIR}\${prefix}/${CMAKE_INSTALL_DATADIR}/regal/modulefiles/regal/${PROJECT_VERSION}.lua\")")

set(CPACK_PACKAGE_NAME regal)
set(CPACK_PACKAGE_VENDOR "regal")
set(CPACK_PACKAGE_CONTACT "regal maintainers <regal@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Sweeps of neural networks learning regular languages, over MPI and SLURM")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)              # the libraries the binaries load
set(CPACK_DEBIAN_PACKAGE_DEPENDS "openmpi-bin, gnuplot-nox | gnuplot, graphviz")  # mpirun, and the report's figures, which no binary links
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "slurm-client, chromium")
include(CPack)
