"""An independent implementation of the tlog formats, to check ours against (tests/tlog_independent.rs).

Ed25519 from Python's `cryptography`; RFC 6962 / RFC 9162 and the C2SP formats (signed-note,
tlog-checkpoint, tlog-proof, tlog-cosignature v1) written here from the specifications, sharing
no code with the Rust crate.

    python independent.py INPUT.json  ->  JSON on stdout: {"checks": {...}, "theirs": {...}}

INPUT holds what the Rust side made (keys, checkpoint notes, proofs, a cosigned note, the
entries); every check of it is reported by name, true or false. "theirs" is what this side
makes (keys, a signed checkpoint, a tlog-proof, consistency hashes, a cosignature) for the Rust
side to verify.
"""

import base64
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

DASH = "\u2014"


def b64(b):
    return base64.b64encode(b).decode()


def unb64(s):
    out = base64.b64decode(s, validate=True)
    if b64(out) != s:
        raise ValueError("non-canonical base64")
    return out


# --- RFC 6962 section 2.1 ---------------------------------------------------------------

def leaf(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node(l, r):
    return hashlib.sha256(b"\x01" + l + r).digest()


def k_of(n):
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def mth(d):
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = k_of(len(d))
    return node(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) <= 1:
        return []
    k = k_of(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, b):
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


# --- RFC 9162 sections 2.1.3.2 and 2.1.4.2 ------------------------------------------------

def verify_inclusion(index, size, leaf_hash, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, proof):
    if first == second:
        return not proof and first_hash == second_hash
    if first == 0 or first > second or not proof:
        return False
    c = list(proof)
    if first & (first - 1) == 0:
        c = [first_hash] + c
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = c[0]
    for x in c[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(x, fr)
            sr = node(x, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, x)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


# --- C2SP signed-note, keys, checkpoint, cosignature ---------------------------------------

def key_id(name, typ, pub):
    return hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pub).digest()[:4]


def vkey_text(name, typ, pub):
    return f"{name}+{key_id(name, typ, pub).hex()}+{b64(bytes([typ]) + pub)}"


def skey_text(name, typ, seed, pub):
    return f"PRIVATE+KEY+{name}+{key_id(name, typ, pub).hex()}+{b64(bytes([typ]) + seed)}"


def parse_vkey(text):
    name, kid, material = text.split("+", 2)
    raw = unb64(material)
    typ, pub = raw[0], raw[1:]
    if len(pub) != 32 or key_id(name, typ, pub).hex() != kid:
        raise ValueError("bad vkey")
    return name, typ, pub


def parse_skey(text):
    prefix, key, name, kid, material = text.split("+", 4)
    assert (prefix, key) == ("PRIVATE", "KEY")
    raw = unb64(material)
    typ, seed = raw[0], raw[1:]
    priv = Ed25519PrivateKey.from_private_bytes(seed)
    pub = priv.public_key().public_bytes_raw()
    if key_id(name, typ, pub).hex() != kid:
        raise ValueError("bad skey")
    return name, typ, priv, pub


def split_note(note):
    i = note.rindex("\n\n")
    text, sigs = note[: i + 1], note[i + 2 :]
    assert sigs.endswith("\n")
    out = []
    for line in sigs[:-1].split("\n"):
        assert line.startswith(DASH + " ")
        name, s = line[2:].split(" ", 1)
        raw = unb64(s)
        out.append((name, raw[:4], raw[4:]))
    return text, out


def cosigned_message(ts, body):
    return f"cosignature/v1\ntime {ts}\n{body}".encode()


def verify_note(note, vkeys):
    """Names of the signatures that verify with vkeys; raises when a known one does not."""
    text, sigs = split_note(note)
    ok = []
    for name, kid, sig in sigs:
        for vname, typ, pub in vkeys:
            if vname != name or key_id(vname, typ, pub) != kid:
                continue
            if typ == 0x01:
                msg = text.encode()
            else:
                ts = int.from_bytes(sig[:8], "big")
                msg, sig = cosigned_message(ts, text), sig[8:]
            Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
            ok.append(name)
    return text, ok


def parse_checkpoint(text):
    lines = text[:-1].split("\n")
    origin, size, root = lines[0], lines[1], lines[2]
    assert str(int(size)) == size and origin
    return origin, int(size), unb64(root)


def sig_line(name, kid, sig):
    return f"{DASH} {name} {b64(kid + sig)}\n"


def sign_checkpoint(name, priv, pub, size, root):
    body = f"{name}\n{size}\n{b64(root)}\n"
    return body + "\n" + sig_line(name, key_id(name, 1, pub), priv.sign(body.encode()))


def parse_tlog_proof(text):
    lines = text.split("\n")
    assert lines[0] == "c2sp.org/tlog-proof@v1"
    i = 1
    if lines[i].startswith("extra "):
        i += 1
    assert lines[i].startswith("index ")
    index = int(lines[i][6:])
    i += 1
    hashes = []
    while lines[i] != "":
        hashes.append(unb64(lines[i]))
        i += 1
    return index, hashes, "\n".join(lines[i + 1 :])


def check(checks, name, fn):
    try:
        checks[name] = bool(fn())
    except (AssertionError, ValueError, InvalidSignature, IndexError, KeyError) as e:
        checks[name] = False
        checks[name + ":error"] = type(e).__name__


def main():
    ours = json.load(open(sys.argv[1]))
    entries = [e.encode() for e in ours["entries"]]
    leaves = [leaf(e) for e in entries]
    checks = {}
    log = parse_vkey(ours["vkey"])
    wit = parse_vkey(ours["witness_vkey"])

    def signer_key_matches():
        name, typ, _priv, pub = parse_skey(ours["skey"])
        return vkey_text(name, typ, pub) == ours["vkey"] and typ == 1

    check(checks, "signer key text gives the verifier key", signer_key_matches)
    check(checks, "witness verifier key has type 0x04", lambda: wit[1] == 0x04)

    def checkpoint_ok(note, size):
        text, names = verify_note(note, [log])
        origin, n, root = parse_checkpoint(text)
        return names == [log[0]] and origin == log[0] and n == size and root == mth(leaves[:size])

    for size, note in ours["checkpoints"].items():
        check(checks, f"checkpoint {size} verifies and its root is the MTH", lambda: checkpoint_ok(note, int(size)))

    def proof_ok(p):
        index, hashes, note = parse_tlog_proof(p["proof"])
        text, names = verify_note(note, [log])
        _origin, size, root = parse_checkpoint(text)
        return names and index == p["index"] and hashes == path(index, leaves[:size]) and \
            verify_inclusion(index, size, leaf(p["entry"].encode()), hashes, root)

    for p in ours["proofs"]:
        check(checks, f"tlog-proof of entry {p['index']} verifies", lambda: proof_ok(p))

    def consistency_ok(c):
        o = parse_checkpoint(verify_note(c["old"], [log])[0])
        n = parse_checkpoint(verify_note(c["new"], [log])[0])
        hashes = [unb64(h) for h in c["hashes"]]
        return hashes == subproof(o[1], leaves[: n[1]], True) and \
            verify_consistency(o[1], n[1], o[2], n[2], hashes)

    for c in ours["consistency"]:
        check(checks, f"consistency {c['old_size']} -> {c['new_size']} verifies", lambda: consistency_ok(c))

    def cosigned_ok():
        _text, names = verify_note(ours["cosigned"], [log, wit])
        return names == [log[0], wit[0]]

    check(checks, "witness cosignature verifies", cosigned_ok)

    def tampered_refused():
        index, hashes, note = parse_tlog_proof(ours["proofs"][0]["proof"])
        _origin, size, root = parse_checkpoint(verify_note(note, [log])[0])
        return not verify_inclusion(index, size, leaf(b"not the entry"), hashes, root)

    check(checks, "a changed entry is refused", tampered_refused)

    # Theirs: a log key and a witness key, a checkpoint of the same entries, a proof and
    # consistency hashes, a cosignature.
    name = "py.example/log"
    seed = os.urandom(32)
    priv = Ed25519PrivateKey.from_private_bytes(seed)
    pub = priv.public_key().public_bytes_raw()
    wname = "py.example/witness"
    wseed = os.urandom(32)
    wpriv = Ed25519PrivateKey.from_private_bytes(wseed)
    wpub = wpriv.public_key().public_bytes_raw()
    n = len(leaves)
    m = max(1, n // 3)
    note_n = sign_checkpoint(name, priv, pub, n, mth(leaves))
    note_m = sign_checkpoint(name, priv, pub, m, mth(leaves[:m]))
    ts = 1700000000
    body = note_n[: note_n.index("\n\n") + 1]
    cosig = wpriv.sign(cosigned_message(ts, body))
    idx = n // 2
    proof = "c2sp.org/tlog-proof@v1\nextra " + b64(b"from python") + f"\nindex {idx}\n" + \
        "".join(b64(h) + "\n" for h in path(idx, leaves)) + "\n" + note_n
    theirs = {
        "skey": skey_text(name, 1, seed, pub),
        "vkey": vkey_text(name, 1, pub),
        "witness_vkey": vkey_text(wname, 4, wpub),
        "checkpoint": note_n,
        "old_checkpoint": note_m,
        "consistency": [b64(h) for h in subproof(m, leaves, True)],
        "proof": proof,
        "proof_index": idx,
        "cosigned": note_n + sig_line(wname, key_id(wname, 4, wpub), ts.to_bytes(8, "big") + cosig),
    }
    json.dump({"checks": checks, "theirs": theirs}, sys.stdout)


main()
