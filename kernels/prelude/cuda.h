/* EcgGpu kernel dialect: CUDA C++ side, compiled by NVRTC. Only the preludes name backend built-ins. */
typedef unsigned int uint;
typedef unsigned long long ulong;
#define KERNEL extern "C" __global__ void
#define GLOBAL
#define LOCAL __shared__
/* Shared memory is reached through generic pointers in CUDA. */
#define LOCAL_PTR
#define DEVICE_FN __device__ static inline
/* d is a literal in every use, so the selection folds away. */
#define ECG_DIM(v, d) ((d) == 0 ? (int)(v).x : (d) == 1 ? (int)(v).y : (int)(v).z)
#define LID(d) ECG_DIM(threadIdx, d)
#define GROUP_ID(d) ECG_DIM(blockIdx, d)
#define LSIZE(d) ECG_DIM(blockDim, d)
#define NGROUPS(d) ECG_DIM(gridDim, d)
#define GID(d) (GROUP_ID(d) * LSIZE(d) + LID(d))
#define BARRIER() __syncthreads()
#define ATOMIC_ADD_INT(p, v) atomicAdd((int*)(p), (v))
#define MULHI(a, b) __umulhi((uint)(a), (uint)(b))
#define F_INFINITY __int_as_float(0x7f800000)
#define F_NAN __int_as_float(0x7fffffff)
#ifndef FLT_MAX
#define FLT_MAX 3.402823466e+38f
#endif
