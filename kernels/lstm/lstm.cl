/* LSTM over a whole sequence in one launch per layer. Gates i, f, g, o (PyTorch order; Keras i, f, c, o).
   Layout: gates (N, L, 4H) enter holding x·W + b for every step (one GEMM before the launch) and
   leave holding the activated gates, which the backward pass reads (stored, not recomputed: 4H floats
   per step and batch row, plus c). U is (H, 4H) (Keras recurrent_kernel), so consecutive work-items
   read consecutive addresses. A work-group owns BPG batch rows; work-item j owns hidden unit j, keeps
   c in registers and h in local memory. HID = H, BPG come from the host. */

DEVICE_FN float sigm(float x) { return 1.0f / (1.0f + expf(-x)); }

KERNEL lstm_forward_seq(int N, int L, GLOBAL float* gates, const GLOBAL float* U,
                        const GLOBAL float* bias_r, int use_bias_r, GLOBAL float* h, GLOBAL float* c)
{
    LOCAL float hs[BPG * HID];
    int j = LID(0);
    int n0 = GROUP_ID(0) * BPG;
    float cell[BPG];
    for (int b = 0; b < BPG; b++) { cell[b] = 0.0f; hs[b * HID + j] = 0.0f; }
    float bi = use_bias_r ? bias_r[j] : 0.0f, bf = use_bias_r ? bias_r[HID + j] : 0.0f;
    float bg = use_bias_r ? bias_r[2 * HID + j] : 0.0f, bo = use_bias_r ? bias_r[3 * HID + j] : 0.0f;
    BARRIER();
    for (int t = 0; t < L; t++) {
        float ai[BPG], af[BPG], ag[BPG], ao[BPG];
        for (int b = 0; b < BPG; b++) {
            int n = n0 + b < N ? n0 + b : N - 1;
            const GLOBAL float* p = gates + (n * L + t) * 4 * HID;
            ai[b] = p[j] + bi; af[b] = p[HID + j] + bf; ag[b] = p[2 * HID + j] + bg; ao[b] = p[3 * HID + j] + bo;
        }
        for (int k = 0; k < HID; k++) {
            const GLOBAL float* u = U + k * 4 * HID;
            float ui = u[j], uf = u[HID + j], ug = u[2 * HID + j], uo = u[3 * HID + j];
            for (int b = 0; b < BPG; b++) {
                float hk = hs[b * HID + k];
                ai[b] += ui * hk; af[b] += uf * hk; ag[b] += ug * hk; ao[b] += uo * hk;
            }
        }
        BARRIER(); /* every read of hs for this step is done */
        for (int b = 0; b < BPG; b++) {
            float i = sigm(ai[b]), f = sigm(af[b]), g = tanhf(ag[b]), o = sigm(ao[b]);
            cell[b] = f * cell[b] + i * g;
            float hv = o * tanhf(cell[b]);
            hs[b * HID + j] = hv;
            int n = n0 + b;
            if (n < N) {
                GLOBAL float* p = gates + (n * L + t) * 4 * HID;
                p[j] = i; p[HID + j] = f; p[2 * HID + j] = g; p[3 * HID + j] = o;
                c[(n * L + t) * HID + j] = cell[b];
                h[(n * L + t) * HID + j] = hv;
            }
        }
        BARRIER();
    }
}

/* Backward through time, in reverse, from dh (N, L, H) (the gradient reaching every output state).
   Writes the pre-activation gate gradients dgates (N, L, 4H); the weight and input gradients are
   GEMMs on them afterwards. dh_prev = dgates_t · Uᵀ goes through local memory. */
KERNEL lstm_backward_seq(int N, int L, const GLOBAL float* gates, const GLOBAL float* c,
                         const GLOBAL float* dh, const GLOBAL float* U, GLOBAL float* dgates)
{
    LOCAL float dhs[BPG * HID];
    LOCAL float dg[BPG * 4 * HID];
    int j = LID(0);
    int n0 = GROUP_ID(0) * BPG;
    float dcell[BPG];
    for (int b = 0; b < BPG; b++) { dcell[b] = 0.0f; dhs[b * HID + j] = 0.0f; }
    for (int t = L - 1; t >= 0; t--) {
        for (int b = 0; b < BPG; b++) {
            int n = n0 + b < N ? n0 + b : N - 1;
            int row = (n * L + t);
            const GLOBAL float* p = gates + row * 4 * HID;
            float i = p[j], f = p[HID + j], g = p[2 * HID + j], o = p[3 * HID + j];
            float cv = c[row * HID + j];
            float cprev = t > 0 ? c[(row - 1) * HID + j] : 0.0f;
            float dhv = dh[row * HID + j] + dhs[b * HID + j];
            float tc = tanhf(cv);
            float dc = dcell[b] + dhv * o * (1.0f - tc * tc);
            float dai = dc * g * i * (1.0f - i);
            float daf = dc * cprev * f * (1.0f - f);
            float dag = dc * i * (1.0f - g * g);
            float dao = dhv * tc * o * (1.0f - o);
            dcell[b] = dc * f;
            dg[b * 4 * HID + j] = dai; dg[b * 4 * HID + HID + j] = daf;
            dg[b * 4 * HID + 2 * HID + j] = dag; dg[b * 4 * HID + 3 * HID + j] = dao;
            if (n0 + b < N) {
                GLOBAL float* q = dgates + row * 4 * HID;
                q[j] = dai; q[HID + j] = daf; q[2 * HID + j] = dag; q[3 * HID + j] = dao;
            }
        }
        BARRIER();
        const GLOBAL float* urow = U + j * 4 * HID;
        for (int b = 0; b < BPG; b++) {
            float acc = 0.0f;
            for (int m = 0; m < 4 * HID; m++) acc += urow[m] * dg[b * 4 * HID + m];
            dhs[b * HID + j] = acc;
        }
        BARRIER();
    }
}
