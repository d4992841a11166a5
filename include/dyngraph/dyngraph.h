// The one header a C++ program includes to use dyngraph.
#pragma once

#include "dyngraph/autocast.h"
#include "dyngraph/autograd.h"
#include "dyngraph/device.h"
#include "dyngraph/dtype.h"
#include "dyngraph/error.h"
#include "dyngraph/nn.h"
#include "dyngraph/ops.h"
#include "dyngraph/optim.h"
#include "dyngraph/random.h"
#include "dyngraph/scalar.h"
#include "dyngraph/serialize.h"
#include "dyngraph/shape.h"
#include "dyngraph/storage.h"
#include "dyngraph/tensor.h"
#include "dyngraph/settings.h"
