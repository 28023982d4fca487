# cmake -DCXX=<compiler> -DINCLUDE=<include dir> -DSOURCE=<probe.cpp> -P deprecated_names_warn.cmake
# Compiles the probe that uses every retired spelling and fails unless each
# draws a deprecation warning naming its replacement (the [[deprecated("use
# ...")]] aliases of include/calmkit).
execute_process(
  COMMAND "${CXX}" -std=c++20 -fsyntax-only -Wdeprecated-declarations "-I${INCLUDE}" "${SOURCE}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the probe of the deprecated names does not compile:\n${err}")
endif()
foreach(expected "use from_utc_us()" "use calmkit::Cohort" "use calmkit::metrics::Cohort"
        "use calmkit::metrics::time_to_calm" "use utc_us()" "use local_us()")
  string(FIND "${err}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "no deprecation warning says '${expected}':\n${err}")
  endif()
endforeach()
message(STATUS "every retired name warns and names its replacement")
