// Symbol visibility for the public C++ API: everything is built with
// -fvisibility=hidden, and only what is marked DG_API is exported.
#pragma once

#if defined(_WIN32)
#  define DG_API __declspec(dllexport)
#else
#  define DG_API __attribute__((visibility("default")))
#endif

// Functions usable from both host code and CUDA kernels (shared functors).
#if defined(__CUDACC__)
#  define DG_HOST_DEVICE __host__ __device__
#else
#  define DG_HOST_DEVICE
#endif
