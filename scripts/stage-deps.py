#!/usr/bin/env python3
# Prints which stage folders of Sources/Tributary use which (by the type names each declares) and fails on a cycle.
import os,re,collections,sys
root='Sources/Tributary'
decl=re.compile(r'^\s*(?:public |private |fileprivate |internal |final |@\w+ )*(?:struct|class|enum|protocol|actor|typealias)\s+(\w+)',re.M)
ext=re.compile(r'^\s*(?:public )?extension\s+(\w+)',re.M)
files={}
for d,_,fs in os.walk(root):
    for f in fs:
        if f.endswith('.swift'):
            p=os.path.join(d,f); files[p]=open(p).read()
def folder(p):
    rel=os.path.relpath(p,root).split('/')
    return rel[0] if len(rel)>1 else '.'
owner={}
for p,s in files.items():
    for m in decl.finditer(s): owner.setdefault(m.group(1),folder(p))
deps=collections.defaultdict(set); why=collections.defaultdict(set)
for p,s in files.items():
    s2=re.sub(r'//.*','',s)
    for name,fo in owner.items():
        if fo!=folder(p) and re.search(r'\b'+name+r'\b',s2):
            deps[folder(p)].add(fo); why[(folder(p),fo)].add(name)
for k in sorted(deps): print(k,'->',', '.join(sorted(deps[k])))
if '-v' in sys.argv:
    for k,v in sorted(why.items()): print(k,sorted(v))
# cycles
import itertools
def reach(a,b,seen=None):
    seen=seen or set()
    for n in deps[a]:
        if n==b: return True
        if n not in seen:
            seen.add(n)
            if reach(n,b,seen): return True
    return False
cyc=[(a,b) for a in list(deps) for b in list(deps[a]) if reach(b,a)]
print("cycles:", cyc or "none")
sys.exit(1 if cyc else 0)
