//! Speech share (silero-vad) of every file of a labelled corpus, with its category: the data
//! behind the "vocal" tag's threshold. `cargo run --release --example vad_check -- CORPUS`
fn main() {
    let corpus = std::path::PathBuf::from(std::env::args().nth(1).expect("CORPUS"));
    let m = samplemind::ml::open(&Default::default()).expect("runtime");
    if corpus.is_file() {
        let (info, mono) = samplemind::audio::decode_mono(&corpus, Some(3.0)).expect("decode");
        println!(
            "{:?}",
            samplemind::ml::vad::speech_share(&m, &mono, info.sample_rate, 3.0)
        );
        return;
    }
    let labels = std::fs::read_to_string(corpus.join("labels.csv")).expect("labels.csv");
    for line in labels.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let Ok((info, mono)) = samplemind::audio::decode_mono(&corpus.join(f[0]), Some(3.0)) else {
            continue;
        };
        let (share, mean) =
            samplemind::ml::vad::speech_share(&m, &mono, info.sample_rate, 3.0).expect("vad");
        println!("{share:.2} {mean:.2} {} {}", f[1], f[5]);
    }
}
