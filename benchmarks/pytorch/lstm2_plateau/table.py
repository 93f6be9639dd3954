import json
print('| run | data (train/test rows) | settings | steps | per-epoch train acc / test acc (val loss) |')
print('|---|---|---|---|---|')
for l in open('results.jsonl'):
    r=json.loads(l); a=r['args']
    if a['tag']=='timing': continue
    s=f"init={a['init']} lr={a['lr']} bs={a['bs']} fb={a['fb']} reverse={a['reverse']} trim={a['trim']} clip={a['clip']}"
    eps=' · '.join(f"{h['ep']}: {h['acc']:.3f}/{h['val_acc']:.3f} ({h['val_loss']:.3f})" for h in r['hist'])
    print(f"| {a['tag']} | {a['data']} {'2500/1500' if a['data']=='sample' else str(a['rows'])+'/'+str(a['testrows'])} | {s} | {r['hist'][-1]['step']} | {eps} |")
