//! Rough timing of the memory tree (indicative; not a benchmark gate).
use refute_engine::merkle::MemoryTree;
use std::time::Instant;

fn main() {
    let mut data = vec![0u8; 64 << 20];
    for (i, b) in data.iter_mut().enumerate() {
        *b = ((i * 2654435761usize) >> 13) as u8;
    }
    let mut t = MemoryTree::new();
    let s = Instant::now();
    let r0 = t.root(&data);
    println!("first root over 64 MiB: {:?}", s.elapsed());
    for pages in [1usize, 100, 1000] {
        for p in 0..pages {
            let at = (p * 7919 % (data.len() / 4096)) * 4096 + 100;
            data[at] ^= 1;
            t.mark_dirty(at, 1);
        }
        let s = Instant::now();
        let r = t.root(&data);
        println!("root after {pages} dirty pages: {:?} ({})", s.elapsed(), r != r0);
    }
    let s = Instant::now();
    let n = 10_000;
    for i in 0..n {
        std::hint::black_box(t.proof(&data, (i * 4099 % (64 << 20)) as u32));
    }
    println!("proof: {:?} each", s.elapsed() / n as u32);
}
