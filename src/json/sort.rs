//! One small stable sort for the few places that sort (object keys for canonical JSON,
//! regex class ranges, schema property names). The standard library's sorts are fast but
//! large (3 to 9 KB of wasm for each element type and comparison); the slices sorted
//! here are short (the keys of one JSON object), where insertion sort is as fast, and a
//! bottom-up merge keeps long inputs O(n log n).

use std::cmp::Ordering;

/// Length of the runs sorted by insertion before merging.
const RUN: usize = 16;

/// Sorts `v` by `cmp`, stable (equal elements keep their order), like `slice::sort_by`.
pub(crate) fn sort_by<T: Copy>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let n = v.len();
    for run in v.chunks_mut(RUN) {
        for i in 1..run.len() {
            let mut j = i;
            while j > 0 && cmp(&run[j - 1], &run[j]) == Ordering::Greater {
                run.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    if n <= RUN {
        return;
    }
    let mut buf: Vec<T> = v.to_vec();
    let mut in_v = true;
    let mut width = RUN;
    while width < n {
        let (src, dst): (&[T], &mut [T]) = if in_v {
            (&*v, &mut buf[..])
        } else {
            (&buf[..], &mut *v)
        };
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j) = (lo, mid);
            for slot in &mut dst[lo..hi] {
                // Take from the left run unless the right one is strictly smaller.
                if j >= hi || (i < mid && cmp(&src[j], &src[i]) != Ordering::Less) {
                    *slot = src[i];
                    i += 1;
                } else {
                    *slot = src[j];
                    j += 1;
                }
            }
            lo = hi;
        }
        in_v = !in_v;
        width *= 2;
    }
    if !in_v {
        v.copy_from_slice(&buf);
    }
}

/// [`sort_by`] for elements that are not `Copy`: sorts positions, then moves the elements.
#[cfg_attr(not(feature = "compile"), allow(dead_code))]
pub(crate) fn sort_vec_by<T>(v: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    sort_by(&mut order, |&a, &b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.iter().filter_map(|&i| slots[i].take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_std_stable_sort() {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in (0..80).chain([100, 255, 256, 257, 1000, 4097]) {
            for keys in [3u64, 50, u64::MAX] {
                // (key, original position): stability shows in the positions.
                let v: Vec<(u64, usize)> = (0..n).map(|i| (next() % keys, i)).collect();
                let mut ours = v.clone();
                sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
                let mut std = v.clone();
                std.sort_by_key(|a| a.0);
                assert_eq!(ours, std, "n={n}");
                let mut boxed: Vec<(Box<str>, usize)> =
                    v.iter().map(|&(k, i)| (k.to_string().into(), i)).collect();
                let mut std: Vec<(Box<str>, usize)> = boxed.clone();
                sort_vec_by(&mut boxed, |a, b| a.0.cmp(&b.0));
                std.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(boxed, std, "n={n}");
            }
        }
    }
}
