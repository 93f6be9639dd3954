/* GRU over a whole sequence in one launch per layer, reset gate after the recurrent product
   (Keras reset_after=True = PyTorch): r = σ(a_r + U_r h + c_r), z = σ(a_z + U_z h + c_z),
   n = act(a_n + r ⊙ (U_n h + c_n)), h' = (1 − z) ⊙ n + z ⊙ h. Gates r, z, n (PyTorch order).
   gates (N, L, 3H) enter as x·W + b and leave activated; hn (N, L, H) keeps U_n h + c_n for the
   backward pass. ACT_RELU selects relu for the candidate (a seed model uses it), else tanh. */

DEVICE_FN float sigm(float x) { return 1.0f / (1.0f + expf(-x)); }

KERNEL gru_forward_seq(int N, int L, int act_relu, GLOBAL float* gates, const GLOBAL float* U,
                       const GLOBAL float* bias_r, int use_bias_r, GLOBAL float* h, GLOBAL float* hn)
{
    LOCAL float hs[BPG * HID];
    int j = LID(0);
    int n0 = GROUP_ID(0) * BPG;
    for (int b = 0; b < BPG; b++) hs[b * HID + j] = 0.0f;
    float cr = use_bias_r ? bias_r[j] : 0.0f, cz = use_bias_r ? bias_r[HID + j] : 0.0f, cn = use_bias_r ? bias_r[2 * HID + j] : 0.0f;
    BARRIER();
    for (int t = 0; t < L; t++) {
        float rr[BPG], rz[BPG], rn[BPG];
        for (int b = 0; b < BPG; b++) { rr[b] = cr; rz[b] = cz; rn[b] = cn; }
        for (int k = 0; k < HID; k++) {
            const GLOBAL float* u = U + k * 3 * HID;
            float ur = u[j], uz = u[HID + j], un = u[2 * HID + j];
            for (int b = 0; b < BPG; b++) {
                float hk = hs[b * HID + k];
                rr[b] += ur * hk; rz[b] += uz * hk; rn[b] += un * hk;
            }
        }
        float hold[BPG];
        for (int b = 0; b < BPG; b++) hold[b] = hs[b * HID + j];
        BARRIER();
        for (int b = 0; b < BPG; b++) {
            int n = n0 + b < N ? n0 + b : N - 1;
            GLOBAL float* p = gates + (n * L + t) * 3 * HID;
            float r = sigm(p[j] + rr[b]);
            float z = sigm(p[HID + j] + rz[b]);
            float a = p[2 * HID + j] + r * rn[b];
            float nv = act_relu ? (a > 0.0f ? a : 0.0f) : tanhf(a);
            float hv = (1.0f - z) * nv + z * hold[b];
            hs[b * HID + j] = hv;
            if (n0 + b < N) {
                p[j] = r; p[HID + j] = z; p[2 * HID + j] = nv;
                hn[(n * L + t) * HID + j] = rn[b];
                h[(n * L + t) * HID + j] = hv;
            }
        }
        BARRIER();
    }
}

/* Backward: dx_gates (N, L, 3H) are the gradients of x·W + b (input side), drec (N, L, 3H) those of
   U h + c (recurrent side); they differ only in the candidate: d(a_n) against r ⊙ d(a_n). */
KERNEL gru_backward_seq(int N, int L, int act_relu, const GLOBAL float* gates, const GLOBAL float* hn,
                        const GLOBAL float* h, const GLOBAL float* dh, const GLOBAL float* U,
                        GLOBAL float* dx_gates, GLOBAL float* drec)
{
    LOCAL float dhs[BPG * HID];
    LOCAL float dg[BPG * 3 * HID];
    int j = LID(0);
    int n0 = GROUP_ID(0) * BPG;
    for (int b = 0; b < BPG; b++) dhs[b * HID + j] = 0.0f;
    float direct[BPG];
    for (int t = L - 1; t >= 0; t--) {
        for (int b = 0; b < BPG; b++) {
            int n = n0 + b < N ? n0 + b : N - 1;
            int row = n * L + t;
            const GLOBAL float* p = gates + row * 3 * HID;
            float r = p[j], z = p[HID + j], nv = p[2 * HID + j];
            float hprev = t > 0 ? h[(row - 1) * HID + j] : 0.0f;
            float dhv = dh[row * HID + j] + dhs[b * HID + j];
            float dn = dhv * (1.0f - z);
            float dz = dhv * (hprev - nv);
            direct[b] = dhv * z;
            float dan = act_relu ? (nv > 0.0f ? dn : 0.0f) : dn * (1.0f - nv * nv);
            float dar = dan * hn[row * HID + j] * r * (1.0f - r);
            float daz = dz * z * (1.0f - z);
            float dhn = dan * r;
            dg[b * 3 * HID + j] = dar; dg[b * 3 * HID + HID + j] = daz; dg[b * 3 * HID + 2 * HID + j] = dhn;
            if (n0 + b < N) {
                GLOBAL float* q = dx_gates + row * 3 * HID;
                q[j] = dar; q[HID + j] = daz; q[2 * HID + j] = dan;
                GLOBAL float* s = drec + row * 3 * HID;
                s[j] = dar; s[HID + j] = daz; s[2 * HID + j] = dhn;
            }
        }
        BARRIER();
        const GLOBAL float* urow = U + j * 3 * HID;
        for (int b = 0; b < BPG; b++) {
            float acc = direct[b];
            for (int m = 0; m < 3 * HID; m++) acc += urow[m] * dg[b * 3 * HID + m];
            dhs[b * HID + j] = acc;
        }
        BARRIER();
    }
}
