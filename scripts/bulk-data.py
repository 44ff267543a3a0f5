import os, sys, json, random
random.seed(7)
PEOPLE = ["Nikol Pashinyan", "Ilham Aliyev", "Vladimir Putin", "Emmanuel Macron", "Olaf Scholz", "Antony Blinken", "Sergei Lavrov", "Recep Tayyip Erdogan"]
ORGS = ["CSTO", "NATO", "the European Union", "the United Nations", "OSCE", "the Red Cross"]
PLACES = ["Armenia", "Azerbaijan", "Geneva", "Moscow", "Paris", "Berlin", "Yerevan", "Baku", "Turkey", "Georgia"]
ROLES = ["Prime Minister", "President", "Foreign Minister", "Chancellor"]
def sentence():
    k = random.randrange(4)
    p, o, g, g2, r = random.choice(PEOPLE), random.choice(ORGS), random.choice(PLACES), random.choice(PLACES), random.choice(ROLES)
    n = random.randrange(2, 90)
    return [f"{r} {p} met officials of {o} in {g} on Monday.",
            f"Talks between {g} and {g2} continued for {n} days, {o} said.",
            f"{p} told reporters in {g} that {o} would send {n} observers.",
            f"On 12 March {n} people were reported injured near {g}."][k]
def article(i):
    return f"Report {i}\n\n" + " ".join(sentence() for _ in range(random.randrange(8, 16))) + "\n"
def spans_of(text):
    out = []
    for names, ty in [(PEOPLE, "PER"), (ORGS, "ORG"), (PLACES, "GPE")]:
        for n in names:
            at = text.find(n)
            while at >= 0:
                out.append((at, at + len(n), ty, n))
                at = text.find(n, at + 1)
    out.sort()
    res, last = [], -1
    for s in out:
        if s[0] >= last:
            res.append(s); last = s[1]
    return res
kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "txt":
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        open(f"{out}/a{i:05}.txt", "w").write(article(i))
elif kind == "brat":
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        t = article(i); s = spans_of(t)
        open(f"{out}/a{i:05}.txt", "w").write(t)
        lines = [f"T{j+1}\t{ty} {a} {b}\t{w}" for j, (a, b, ty, w) in enumerate(s)]
        rel = 0
        for j in range(1, len(s)):
            if s[j-1][2] == "PER" and s[j][2] == "ORG":
                rel += 1; lines.append(f"R{rel}\tmember_of Arg1:T{j} Arg2:T{j+1}")
        open(f"{out}/a{i:05}.ann", "w").write("\n".join(lines) + "\n")
elif kind == "jsonl":
    with open(out, "w") as f:
        for i in range(n):
            t = article(i)[:300]; s = spans_of(t)
            f.write(json.dumps({"text": t, "label": [[a, b, ty] for a, b, ty, w in s if b <= len(t)]}) + "\n")
elif kind == "big":
    # one document with n spans and n relations (brat)
    os.makedirs(out, exist_ok=True)
    words = []; pos = 0; lines = []
    for j in range(n):
        w = random.choice(PLACES)
        lines.append(f"T{j+1}\tGPE {pos} {pos+len(w)}\t{w}")
        words.append(w); pos += len(w) + 1
    for j in range(n):
        a, b = random.randrange(n) + 1, random.randrange(n) + 1
        lines.append(f"R{j+1}\topposes Arg1:T{a} Arg2:T{b}")
    open(f"{out}/big.txt", "w").write(" ".join(words) + "\n")
    open(f"{out}/big.ann", "w").write("\n".join(lines) + "\n")
