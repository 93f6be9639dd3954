/* EcgGpu kernel dialect: OpenCL C 1.2 side. Only the preludes name backend built-ins. */
#define KERNEL __kernel void
#define GLOBAL __global
#define LOCAL __local
/* A pointer parameter into local memory. */
#define LOCAL_PTR __local
#define DEVICE_FN static inline
#define GID(d) ((int)get_global_id(d))
#define LID(d) ((int)get_local_id(d))
#define GROUP_ID(d) ((int)get_group_id(d))
#define LSIZE(d) ((int)get_local_size(d))
#define NGROUPS(d) ((int)get_num_groups(d))
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define ATOMIC_ADD_INT(p, v) atomic_add((p), (v))
#define MULHI(a, b) mul_hi((uint)(a), (uint)(b))
#define expf(x) exp(x)
#define logf(x) log(x)
#define tanhf(x) tanh(x)
#define sqrtf(x) sqrt(x)
#define sqrtf(x) sqrt(x)
#define fabsf(x) fabs(x)
#define fmaxf(a, b) fmax((a), (b))
#define fminf(a, b) fmin((a), (b))
#define powf(a, b) pow((a), (b))
#define F_INFINITY INFINITY
#define F_NAN NAN
