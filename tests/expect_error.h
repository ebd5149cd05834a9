// EXPECT_ERROR_CONTAINS(statement, "text"): the statement must throw
// convlab::Error whose message contains "text".
#pragma once
#include <gtest/gtest.h>

#include <string>

#include "host/error.h"

#define EXPECT_ERROR_CONTAINS(statement, text)                                    \
  do {                                                                            \
    try {                                                                         \
      statement;                                                                  \
      ADD_FAILURE() << "expected convlab::Error containing '" << (text) << "'";   \
    } catch (const ::convlab::Error& e_) {                                        \
      EXPECT_NE(std::string(e_.what()).find(text), std::string::npos)             \
          << "message '" << e_.what() << "' does not contain '" << (text) << "'"; \
    }                                                                             \
  } while (0)
