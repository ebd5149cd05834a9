# The CUDA emulator build (-DCONVLAB_CUDA_EMULATOR=ON): convlab's kernels are
# rewritten (rewrite_kernels.py) and compiled as C++ against the emulator's
# cuda_runtime.h and cublas_v2.h, so that the GPU test suite runs the real
# kernel code on the CPU. Sets CONVLAB_CUDA_SOURCES for the library, and
# convlab_use_cuda_emulator(target) adds the include paths and definitions.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(CONVLAB_EMU_DIR ${CMAKE_CURRENT_LIST_DIR})
set(CONVLAB_EMU_GEN ${PROJECT_BINARY_DIR}/cuda_emulator_src)
file(GLOB_RECURSE _emu_cuda_files RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernels/*.cu ${PROJECT_SOURCE_DIR}/kernels/*.cuh)
# The emulator's own tests and the benchmarks' CUDA backend are CUDA too (the
# tests and bench folders build them).
file(GLOB _emu_test_cuda RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/cuda_emulator/test_*.cu)
file(GLOB _emu_bench_cuda RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/cuda/*.cu)
list(APPEND _emu_cuda_files ${_emu_test_cuda} ${_emu_bench_cuda})
set(_emu_inputs)
set(_emu_outputs)
foreach(rel ${_emu_cuda_files})
  list(APPEND _emu_inputs ${PROJECT_SOURCE_DIR}/${rel})
  if(rel MATCHES "\\.cu$")
    list(APPEND _emu_outputs ${CONVLAB_EMU_GEN}/${rel}.cpp)
  else()
    list(APPEND _emu_outputs ${CONVLAB_EMU_GEN}/${rel})
  endif()
endforeach()
add_custom_command(
  OUTPUT ${_emu_outputs}
  COMMAND Python3::Interpreter ${CONVLAB_EMU_DIR}/rewrite_kernels.py ${PROJECT_SOURCE_DIR} ${CONVLAB_EMU_GEN}
          ${_emu_cuda_files}
  DEPENDS ${_emu_inputs} ${CONVLAB_EMU_DIR}/rewrite_kernels.py
  COMMENT "Rewriting the CUDA kernels for the emulator"
  VERBATIM)
add_custom_target(convlab_cuda_emulator_sources DEPENDS ${_emu_outputs})

file(GLOB_RECURSE _emu_kernel_cpp CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/kernels/*.cpp)
list(FILTER _emu_kernel_cpp EXCLUDE REGEX ".*/kernels/runtime/no_cuda\\.cpp$")
# Device code written for nvcc: unsigned blockDim compared with int, and
# #pragma unroll, are expected there. (Source properties hold per folder: the
# bench folder sets them on its own sources with the same list.)
# -fno-sanitize=null: in a UBSan build GCC 12 miscompiles the null check of an extern
# thread_local's address (blockDim, gridDim, blockIdx): after the skipped TLS-init call
# the branch reads stale flags, and every launch reports "member access within null
# pointer of type 'struct dim3'". Null pointers still fault under AddressSanitizer.
set(CONVLAB_EMU_DEVICE_CODE_OPTIONS -Wno-sign-compare -Wno-unknown-pragmas -fno-sanitize=null)
set_source_files_properties(${_emu_outputs} PROPERTIES COMPILE_OPTIONS "${CONVLAB_EMU_DEVICE_CODE_OPTIONS}")
set(CONVLAB_EMU_TEST_SOURCES)
foreach(rel ${_emu_test_cuda})
  list(APPEND CONVLAB_EMU_TEST_SOURCES ${CONVLAB_EMU_GEN}/${rel}.cpp)
endforeach()
set(CONVLAB_EMU_BENCH_SOURCES)
foreach(rel ${_emu_bench_cuda})
  list(APPEND CONVLAB_EMU_BENCH_SOURCES ${CONVLAB_EMU_GEN}/${rel}.cpp)
endforeach()
list(REMOVE_ITEM _emu_outputs ${CONVLAB_EMU_TEST_SOURCES} ${CONVLAB_EMU_BENCH_SOURCES})
set(CONVLAB_CUDA_SOURCES ${_emu_outputs} ${_emu_kernel_cpp}
    ${CONVLAB_EMU_DIR}/runtime.cpp ${CONVLAB_EMU_DIR}/scheduler.cpp ${CONVLAB_EMU_DIR}/cublas.cpp
    ${CONVLAB_EMU_DIR}/tensor_core.cpp)

function(convlab_use_cuda_emulator target)
  # The rewritten kernels come before the originals; the emulator's CUDA
  # headers stand in for the toolkit's.
  target_include_directories(${target} BEFORE PUBLIC $<BUILD_INTERFACE:${CONVLAB_EMU_GEN}>
                                                     $<BUILD_INTERFACE:${CONVLAB_EMU_DIR}/include>)
  target_compile_definitions(${target} PUBLIC CONVLAB_HAVE_CUDA=1 CONVLAB_CUDA_EMULATOR=1)
endfunction()
