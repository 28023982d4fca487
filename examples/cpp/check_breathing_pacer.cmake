# Runs breathing_pacer twice without a terminal (answers fed on stdin, clock
# sped up) and checks that the journal it writes reads back with one, then
# two, exercise records. Called by CTest with -DPACER=<exe> -DWORK=<dir>.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(journal "${WORK}/journal.jsonl")
# Distress before, then after.
file(WRITE "${WORK}/answers.txt" "8\n4\n")

foreach(run 1 2)
  execute_process(
    COMMAND "${PACER}" "${journal}" --exercise breathing.4-7-8 --speed 200 --participant p1
    INPUT_FILE "${WORK}/answers.txt"
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run}: breathing_pacer failed (${rc}):\n${out}\n${err}")
  endif()
  if(run EQUAL 1)
    set(expected "journal: 1 exercise session in ")
  else()
    set(expected "journal: 2 exercise sessions in ")
  endif()
  string(FIND "${out}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "run ${run}: expected '${expected}' in the output:\n${out}\n${err}")
  endif()
  # 12 phases of 4-7-8 (3 per round, 4 rounds) were announced.
  string(REGEX MATCHALL "\\[round [1-4]\\]" phases "${out}")
  list(LENGTH phases n)
  if(NOT n EQUAL 12)
    message(FATAL_ERROR "run ${run}: expected 12 phases, saw ${n}:\n${out}")
  endif()
endforeach()

file(STRINGS "${journal}" lines)
set(records 0)
foreach(line IN LISTS lines)
  if(line MATCHES "\"type\":\"exercise\"")
    math(EXPR records "${records} + 1")
    foreach(field "\"exercise\":\"breathing.4-7-8\"" "\"intensity_before\":8" "\"intensity_after\":4"
                  "\"participant\":\"p1\"")
      string(FIND "${line}" "${field}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "record lacks ${field}: ${line}")
      endif()
    endforeach()
    # The record spans the real time of the run (76 s of 4-7-8 at speed 200
    # take well under a second), not the sped-up clock's 76 s: `time` and `end`
    # are wall-clock instants (docs/journal-format.md), with the same offset.
    set(seconds "")
    foreach(field time end)
      if(NOT line MATCHES "\"${field}\":\"[0-9-]+T([0-9])([0-9]):([0-9])([0-9]):([0-9])([0-9])")
        message(FATAL_ERROR "record has no ${field}: ${line}")
      endif()
      math(EXPR s "(${CMAKE_MATCH_1} * 10 + ${CMAKE_MATCH_2}) * 3600 + (${CMAKE_MATCH_3} * 10 + ${CMAKE_MATCH_4}) * 60 + ${CMAKE_MATCH_5} * 10 + ${CMAKE_MATCH_6}")
      list(APPEND seconds ${s})
    endforeach()
    list(GET seconds 0 start)
    list(GET seconds 1 end)
    math(EXPR span "(${end} - ${start} + 86400) % 86400")
    if(span GREATER 20)
      message(FATAL_ERROR "the record spans ${span} s for a run of well under a second: ${line}")
    endif()
  endif()
endforeach()
if(NOT records EQUAL 2)
  message(FATAL_ERROR "expected 2 exercise lines in ${journal}, found ${records}")
endif()
message(STATUS "breathing_pacer wrote a journal that reads back")
