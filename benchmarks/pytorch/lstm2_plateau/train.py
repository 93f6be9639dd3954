import argparse, json, time, math, numpy as np, torch, torch.nn as nn
from data import load, tail
import os; torch.set_num_threads(int(os.environ.get("TH","1")))
p=argparse.ArgumentParser()
p.add_argument('--data',default='sample'); p.add_argument('--rows',type=int,default=0)
p.add_argument('--epochs',type=int,default=6); p.add_argument('--init',default='keras')
p.add_argument('--lr',type=float,default=1e-3); p.add_argument('--bs',type=int,default=64)
p.add_argument('--reverse',type=int,default=0); p.add_argument('--trim',type=int,default=0)  # trim: pack sequences to their non-zero length
p.add_argument('--fb',type=float,default=1.0); p.add_argument('--clip',type=float,default=0)
p.add_argument('--seed',type=int,default=0); p.add_argument('--tag',default='')
p.add_argument('--testrows',type=int,default=0); p.add_argument('--maxmin',type=float,default=1e9)
a=p.parse_args()
torch.manual_seed(a.seed); np.random.seed(a.seed)
Xtr,ytr,Xte,yte=load(a.data)
def strat(X,y,n,rng):
    idx=[]
    for c in range(5):
        ci=np.where(y==c)[0]; k=int(round(n*len(ci)/len(y)))
        idx+=list(rng.choice(ci,min(k,len(ci)),replace=False))
    idx=np.array(sorted(idx)); return X[idx],y[idx]
rng=np.random.RandomState(1)
if a.rows: Xtr,ytr=strat(Xtr,ytr,a.rows,rng)
if a.testrows: Xte,yte=strat(Xte,yte,a.testrows,rng)
Ltr=187-tail(Xtr); Lte=187-tail(Xte)
Ltr=np.maximum(Ltr,1); Lte=np.maximum(Lte,1)

class Net(nn.Module):
    def __init__(s):
        super().__init__()
        s.l1=nn.LSTM(1,128,batch_first=True); s.l2=nn.LSTM(128,64,batch_first=True)
        s.d=nn.Dropout(0.2); s.fc=nn.Linear(64,5)
    def forward(s,x,L=None):
        if a.trim:
            pk=nn.utils.rnn.pack_padded_sequence(x,L.cpu(),batch_first=True,enforce_sorted=False)
            o,_=s.l1(pk); o,pl=nn.utils.rnn.pad_packed_sequence(o,batch_first=True)
            o=s.d(o)
            pk=nn.utils.rnn.pack_padded_sequence(o,L.cpu(),batch_first=True,enforce_sorted=False)
            _,(h,_)=s.l2(pk); h=h[0]
        else:
            o,_=s.l1(x); o=s.d(o); _,(h,_)=s.l2(o); h=h[0]
        return s.fc(s.d(h))
net=Net()
def glorot(w):  # w is torch (out,in); Keras kernel is (in,out): same fan_in+fan_out
    lim=math.sqrt(6.0/(w.shape[0]+w.shape[1])); nn.init.uniform_(w,-lim,lim)
if a.init=='keras':
    for l in (net.l1,net.l2):
        H=l.hidden_size
        glorot(l.weight_ih_l0.data)
        # Keras recurrent kernel (H,4H) orthogonal -> rows orthonormal; torch weight_hh = its transpose (4H,H), orthonormal columns
        nn.init.orthogonal_(l.weight_hh_l0.data)
        l.bias_ih_l0.data.zero_(); l.bias_hh_l0.data.zero_(); l.bias_ih_l0.data[H:2*H]=a.fb
    glorot(net.fc.weight.data); net.fc.bias.data.zero_()
elif a.fb!=1.0 or a.init=='torchfb':
    for l in (net.l1,net.l2):
        H=l.hidden_size; l.bias_ih_l0.data[H:2*H]+=a.fb
opt=torch.optim.Adam(net.parameters(),lr=a.lr,eps=1e-7)
lossf=nn.CrossEntropyLoss()
def prep(X):
    X=X.copy()
    if a.reverse: X=X[:,::-1].copy()  # note: reversed -> zero tail comes FIRST, informative part last
    return torch.from_numpy(X).unsqueeze(-1)
Xt,yt,Lt=prep(Xtr),torch.from_numpy(ytr),torch.from_numpy(Ltr)
Xv,yv,Lv=prep(Xte),torch.from_numpy(yte),torch.from_numpy(Lte)
if a.reverse and a.trim: raise SystemExit('no')
def evaluate(X,y,L):
    net.eval(); c=0; ls=0
    with torch.no_grad():
        for i in range(0,len(X),512):
            o=net(X[i:i+512],L[i:i+512]); ls+=lossf(o,y[i:i+512]).item()*len(o); c+=(o.argmax(1)==y[i:i+512]).sum().item()
    net.train(); return ls/len(X),c/len(X)
print(json.dumps(vars(a)),'train',len(Xt),'prior',np.bincount(ytr,minlength=5)/len(ytr),flush=True)
hist=[]; t0=time.time(); step=0
for ep in range(1,a.epochs+1):
    perm=torch.randperm(len(Xt)); tl=0; tc=0; n=0; te=time.time(); gn=[]
    for i in range(0,len(Xt),a.bs):
        b=perm[i:i+a.bs]; o=net(Xt[b],Lt[b]); loss=lossf(o,yt[b])
        opt.zero_grad(); loss.backward()
        gn.append(net.l1.weight_ih_l0.grad.norm().item()+0)  # first-layer input-kernel grad norm
        if a.clip: nn.utils.clip_grad_norm_(net.parameters(),a.clip)
        opt.step(); step+=1
        tl+=loss.item()*len(b); tc+=(o.argmax(1)==yt[b]).sum().item(); n+=len(b)
    vl,va=evaluate(Xv,yv,Lv)
    r=dict(ep=ep,step=step,loss=round(tl/n,4),acc=round(tc/n,4),val_loss=round(vl,4),val_acc=round(va,4),g_ih1=round(float(np.mean(gn)),5),sec=round(time.time()-te,1))
    hist.append(r); print(json.dumps(r),flush=True)
    if (time.time()-t0)/60>a.maxmin: break
with open('results.jsonl','a') as f: f.write(json.dumps(dict(args=vars(a),hist=hist))+'\n')
