# ASan+UBSan for the CI sanitizer job: every finding aborts the test that caused it.
if(SHAPELINT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
