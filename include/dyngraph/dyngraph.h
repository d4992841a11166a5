// The one header a C++ program includes to use dyngraph.
#pragma once

#include "dyngraph/device.h"
#include "dyngraph/dtype.h"
#include "dyngraph/error.h"
#include "dyngraph/ops.h"
#include "dyngraph/random.h"
#include "dyngraph/scalar.h"
#include "dyngraph/shape.h"
#include "dyngraph/storage.h"
#include "dyngraph/tensor.h"
