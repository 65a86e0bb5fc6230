//! Print the committed sizes of a conv-network step: `cargo run --release -p nn-layers --example
//! net_layout -- vgg11 16` (also `vgg11/D`, VGG-11 with widths divided by `D`).
use nn_layers::proof::net::NetLayout;
use nn_layers::{FixedConfig, TrainConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).map_or("vgg11", String::as_str);
    let batch: usize = args.get(2).map_or(Ok(16), |s| s.parse())?;
    let model = match name.strip_prefix("vgg11/") {
        Some(d) => nn_layers::zoo::vgg11_narrow(d.parse()?)?,
        None => nn_layers::zoo::by_name(name)?,
    };
    let cfg = TrainConfig::new(FixedConfig::default(), 8)?;
    let lay = NetLayout::new(&model, &cfg, batch, batch.max(1024))?;
    let mut segs: Vec<_> = lay.aux.segments.iter().collect();
    segs.sort_by_key(|s| std::cmp::Reverse(s.padded_len));
    println!(
        "{name} batch {batch}: aux 2^{} ({} used), model 2^{}, data 2^{}",
        lay.aux.num_vars(),
        lay.aux.segments.iter().map(|s| s.padded_len).sum::<usize>(),
        lay.model.num_vars(),
        lay.data.num_vars()
    );
    for s in segs.iter().take(12) {
        println!("  {:>12} {}", s.padded_len, s.name);
    }
    Ok(())
}
