# Exp 4: gradients and state magnitudes at initialisation (no training).
import os, math, json, numpy as np, torch, torch.nn as nn
from data import load, tail
torch.set_num_threads(1)
Xtr,ytr,_,_=load('sample'); L=187-tail(Xtr)
def glorot(w):
    lim=math.sqrt(6.0/(w.shape[0]+w.shape[1])); nn.init.uniform_(w,-lim,lim)
def make(init,fb=1.0,seed=0):
    torch.manual_seed(seed)
    l1=nn.LSTM(1,128,batch_first=True); l2=nn.LSTM(128,64,batch_first=True); fc=nn.Linear(64,5)
    if init=='keras':
        for l in (l1,l2):
            H=l.hidden_size; glorot(l.weight_ih_l0.data); nn.init.orthogonal_(l.weight_hh_l0.data)
            l.bias_ih_l0.data.zero_(); l.bias_hh_l0.data.zero_(); l.bias_ih_l0.data[H:2*H]=fb
        glorot(fc.weight.data); fc.bias.data.zero_()
    return l1,l2,fc
def run(init,reverse=False,fb=1.0,seed=0,n=512):
    l1,l2,fc=make(init,fb,seed)
    X=Xtr[:n].copy(); y=torch.from_numpy(ytr[:n])
    if reverse: X=X[:,::-1].copy()
    x=torch.from_numpy(X).unsqueeze(-1).requires_grad_(True)
    o1,_=l1(x); o2,_=l2(o1); h=o2[:,-1]
    loss=nn.CrossEntropyLoss()(fc(h),y); loss.backward()
    r=dict(init=init,reverse=reverse,fb=fb,seed=seed,loss=round(loss.item(),4))
    for nm,p in [('l1.W_ih',l1.weight_ih_l0),('l1.W_hh',l1.weight_hh_l0),('l2.W_ih',l2.weight_ih_l0),('l2.W_hh',l2.weight_hh_l0),('fc.W',fc.weight),('fc.b',fc.bias)]:
        r['g|'+nm]=float('%.3g'%p.grad.norm().item())
    # input-gradient per time step, averaged over beats: how much does the loss "see" each sample
    gx=x.grad[:,:,0].abs().mean(0).numpy()
    r['|dL/dx_t| t=0..9 (R peak region)']=float('%.3g'%gx[:10].mean()); r['|dL/dx_t| t=177..186']=float('%.3g'%gx[-10:].mean())
    # state after the tail vs at the last non-zero sample (non-reversed only)
    o2d=o2.detach().numpy(); idx=np.arange(n); Ln=(L[:n]-1) if not reverse else np.full(n,186)
    hl=o2d[idx,Ln]; hT=o2d[:,-1]
    r['|h2| at last nonzero (mean L2)']=float('%.3g'%np.linalg.norm(hl,axis=1).mean())
    r['|h2| at t=186 (mean L2)']=float('%.3g'%np.linalg.norm(hT,axis=1).mean())
    # between-beat spread of final state = information available to the classifier
    r['between-beat std of h2(t=186), mean over units']=float('%.3g'%hT.std(0).mean())
    r['between-beat std of h2(last nonzero)']=float('%.3g'%hl.std(0).mean())
    # how much of final-state spread is explained by tail length alone
    tl=187-L[:n]; c=[abs(np.corrcoef(tl,hT[:,j])[0,1]) for j in range(64) if hT[:,j].std()>0]
    r['mean |corr(h2(186)_j, tail length)|']=float('%.3g'%np.mean(c))
    # a perturbation test: change the first 60 samples (QRS), how much does h2(186) move?
    X2=X.copy()
    if not reverse: X2[:,:60]=0
    else: X2[:,-60:]=0
    with torch.no_grad():
        p1,_=l1(torch.from_numpy(X2).unsqueeze(-1)); p2,_=l2(p1)
    r['|h2(186) change| when first 60 (QRS) samples zeroed']=float('%.3g'%np.linalg.norm(p2[:,-1].numpy()-hT,axis=1).mean())
    # forget-gate mean in layer 1 during the tail
    return r
out=[]
for cfg in [dict(init='keras'),dict(init='keras',seed=1),dict(init='torch'),dict(init='keras',reverse=True),dict(init='keras',fb=3.0)]:
    r=run(**cfg); out.append(r); print(json.dumps(r),flush=True)
json.dump(out,open('diag.json','w'),indent=1)
