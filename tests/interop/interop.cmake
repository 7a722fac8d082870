# PyTorch interop tests: CTest fixtures export models with tools/export_torchvision.py (Debian's
# /usr/bin/python3 with python3-torch and python3-torchvision), then ctnet_interop_tests loads them.
option(CTNET_INTEROP_TESTS "Test against PyTorch exports (needs python3-torch, python3-torchvision)" ON)
if(NOT CTNET_INTEROP_TESTS)
  return()
endif()

set(CTNET_TORCH_PYTHON /usr/bin/python3 CACHE FILEPATH "A Python that imports torch and torchvision")
execute_process(COMMAND ${CTNET_TORCH_PYTHON} -c "import torch, torchvision"
                RESULT_VARIABLE torch_missing OUTPUT_QUIET ERROR_QUIET)
if(torch_missing)
  message(FATAL_ERROR "${CTNET_TORCH_PYTHON} cannot import torch and torchvision, which the interop tests need: "
                      "install Debian's python3-torch and python3-torchvision (tools/install-deps.sh does, "
                      "run by make test), or configure with -DCTNET_INTEROP_TESTS=OFF")
endif()

add_executable(ctnet_interop_tests ${CMAKE_CURRENT_LIST_DIR}/torchvision.cpp)
target_link_libraries(ctnet_interop_tests PRIVATE ctnet::ctnet Catch2::Catch2WithMain)
ctnet_warnings(ctnet_interop_tests)

set(interop_dir ${CMAKE_CURRENT_BINARY_DIR}/interop)
file(MAKE_DIRECTORY ${interop_dir})

# ctnet_export(<file stem> <exporter model name> [extra exporter arguments...])
function(ctnet_export stem model)
  add_test(NAME interop.export.${stem}
           COMMAND ${CTNET_TORCH_PYTHON} ${PROJECT_SOURCE_DIR}/tools/export_torchvision.py --model ${model} --seed 7
                   --batch 2 --randomize-bn --out ${interop_dir}/${stem}.safetensors
                   --reference ${interop_dir}/${stem}.reference.safetensors ${ARGN})
  set_tests_properties(interop.export.${stem} PROPERTIES FIXTURES_SETUP export_${stem} LABELS interop TIMEOUT 600)
endfunction()

# ctnet_interop_test(<test name> <Catch2 tag> <export stems...>)
function(ctnet_interop_test name tag)
  set(fixtures)
  foreach(stem ${ARGN})
    list(APPEND fixtures export_${stem})
  endforeach()
  add_test(NAME interop.${name} COMMAND ctnet_interop_tests "${tag}")
  set_tests_properties(interop.${name} PROPERTIES FIXTURES_REQUIRED "${fixtures}" LABELS interop TIMEOUT 900
                       ENVIRONMENT CTNET_INTEROP_DIR=${interop_dir})
endfunction()

# The exporter checks itself: parameter counts, option A's channel layout, file format round trips.
add_test(NAME interop.export_tool_self_test COMMAND ${CTNET_TORCH_PYTHON} ${PROJECT_SOURCE_DIR}/tools/export_torchvision.py --self-test)
set_tests_properties(interop.export_tool_self_test PROPERTIES LABELS interop TIMEOUT 600)

ctnet_export(resnet18 resnet18)
ctnet_export(resnet50 resnet50)
ctnet_export(cifar_resnet20 cifar_resnet20)
ctnet_export(cifar_resnet20_b cifar_resnet20_b)
ctnet_export(cifar_plain20 cifar_plain20)
ctnet_export(cifar_resnet20_f16 cifar_resnet20 --dtype float16)
ctnet_export(cifar_resnet20_bf16 cifar_resnet20 --dtype bfloat16)

ctnet_interop_test(resnet18 "[resnet18]" resnet18)
ctnet_interop_test(resnet50 "[resnet50]" resnet50)
ctnet_interop_test(cifar_resnet20 "[cifar_resnet20]" cifar_resnet20)
ctnet_interop_test(cifar_variants "[cifar_variants]" cifar_resnet20_b cifar_plain20)
ctnet_interop_test(dtypes "[dtypes]" cifar_resnet20_f16 cifar_resnet20_bf16)
