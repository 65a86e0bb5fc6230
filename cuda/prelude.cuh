// zkpot CUDA prelude: types, the kernel argument block, and the few intrinsics the kernels use.
//
// Every kernel has the signature `extern "C" __global__ void name(const KArgs a)`: `a.p[i]` are
// device pointers, `a.v[i]` scalars. Kernels are grid-stride loops with no shared memory and no
// barriers, so their result does not depend on the launch shape. That is what lets the same
// source run on the host: compiled by a C++ compiler with ZK_HOST defined (see host_shim.h in the
// gpu crate), launched as one thread, it is the emulator the differential tests run everywhere.

typedef unsigned long long u64;
typedef unsigned int u32;

struct KArgs {
    u64 p[8];
    u64 v[8];
};

#ifdef ZK_HOST
#define ZK_DEV static inline
#else
#define ZK_DEV __device__ __forceinline__
#endif

// High 64 bits of a 64x64-bit product.
ZK_DEV u64 mulhi64(u64 a, u64 b) {
#ifdef ZK_HOST
    return (u64)(((unsigned __int128)a * b) >> 64);
#else
    return __umul64hi(a, b);
#endif
}

// Atomic add on a 32-bit counter; returns the old value.
ZK_DEV u32 atomic_add_u32(u32* addr, u32 v) {
#ifdef ZK_HOST
    u32 old = *addr;
    *addr = old + v;
    return old;
#else
    return atomicAdd(addr, v);
#endif
}

// This thread's index and the grid's thread count (grid-stride loops).
ZK_DEV u64 thread_id() {
#ifdef ZK_HOST
    return 0;
#else
    return (u64)blockIdx.x * blockDim.x + threadIdx.x;
#endif
}

ZK_DEV u64 thread_count() {
#ifdef ZK_HOST
    return 1;
#else
    return (u64)gridDim.x * blockDim.x;
#endif
}

#ifdef ZK_HOST
#define ZK_KERNEL extern "C" __attribute__((visibility("default"))) void
#else
#define ZK_KERNEL extern "C" __global__ void
#endif
