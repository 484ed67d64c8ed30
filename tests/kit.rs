//! The kit builder end to end: sounds filed by hand, a kit suggested around a kick, exported
//! as WAVs + SFZ + Decent Sampler preset, and a MIDI groove played through the exported SFZ
//! by the offline renderer: the kick's sound lands on note 36 at the groove's times.

use samplemind::library::browse::{correct_category, find};
use samplemind::library::kit::{export, render::render, suggest, Slot};
use samplemind::ml::basic_pitch::Note;

use crate::scan::run_scan;
use crate::util::*;

const RATE: u32 = 44_100;

/// A decaying tone: distinct per sound, short enough that the groove's notes do not overlap.
fn hit(freq: f64, secs: f64) -> Vec<f32> {
    (0..(f64::from(RATE) * secs) as usize)
        .map(|i| {
            let t = i as f64 / f64::from(RATE);
            ((2.0 * std::f64::consts::PI * freq * t).sin() * (-t * 30.0).exp() * 0.5) as f32
        })
        .collect()
}

fn note(start_s: f64, midi: u8) -> Note {
    Note {
        start_s,
        end_s: start_s + 0.05,
        midi,
        velocity: 127,
        bends: Vec::new(),
    }
}

#[test]
fn a_suggested_kit_exports_to_sfz_and_plays_the_kick_on_note_36() {
    let t = TempLib::new();
    let dir = std::fs::canonicalize(t.dir.path()).unwrap().join("drums");
    std::fs::create_dir_all(&dir).unwrap();
    let sounds = [
        ("kick a.wav", 55.0, "kick"),
        ("kick b.wav", 70.0, "kick"),
        ("snare.wav", 220.0, "snare"),
        ("hat.wav", 6000.0, "hat"),
    ];
    for (name, f, _) in sounds {
        write_mono(&dir.join(name), &hit(f, 0.12), RATE);
    }
    run_scan(&t.lib, std::slice::from_ref(&dir));
    // Filed by hand, so the test does not lean on the classifier.
    for (name, _, cat) in sounds {
        let rec = t.lib.path_entry(&dir.join(name)).unwrap().unwrap();
        correct_category(&t.lib, &rec.hash.to_hex(), Some(cat)).unwrap();
    }
    let kick_a = t
        .lib
        .path_entry(&dir.join("kick a.wav"))
        .unwrap()
        .unwrap()
        .hash
        .to_hex();
    let kit = suggest(&t.lib, &kick_a, &Default::default()).unwrap();
    let on = |slot: Slot| {
        kit.pads
            .iter()
            .find(|p| p.slot == slot)
            .map(|p| p.path.clone())
    };
    assert_eq!(
        on(Slot::Kick).as_deref(),
        Some(dir.join("kick a.wav").to_str().unwrap()),
        "the chosen kick keeps its pad"
    );
    assert!(on(Slot::Snare).unwrap().ends_with("snare.wav"));
    assert!(on(Slot::ClosedHat).unwrap().ends_with("hat.wav"));
    assert_eq!(on(Slot::OpenHat), None, "one hat only: no open hat");
    assert_eq!(find(&t.lib, &kick_a).unwrap().category(), Some("kick"));

    let out = t.dir.path().join("My Kit");
    let e = export(&t.lib, &kit, &out, "My Kit").unwrap();
    // A kit handed in by a face names only files the library holds for its pads.
    let mut forged = kit.clone();
    forged.pads[0].path = "/etc/passwd".into();
    forged.pads[0].id = "0".repeat(64);
    assert!(export(&t.lib, &forged, &t.dir.path().join("forged"), "x").is_err());
    assert_eq!(e.samples, 3);
    let sfz = std::fs::read_to_string(&e.sfz).unwrap();
    assert!(sfz.contains("sample=36_kick.wav key=36"), "{sfz}");
    let ds = std::fs::read_to_string(&e.dspreset).unwrap();
    assert!(
        ds.contains("path=\"samples/38_snare.wav\" rootNote=\"38\""),
        "{ds}"
    );

    // A groove: kick on the beats at 120 BPM, snare and hat between them.
    let kicks = [0.0, 0.5, 1.0, 1.5];
    let mut notes: Vec<Note> = kicks.iter().map(|&s| note(s, 36)).collect();
    notes.extend([0.25, 1.25].map(|s| note(s, 38)));
    notes.extend([0.375, 0.875].map(|s| note(s, 42)));
    notes.push(note(1.75, 49)); // no cymbal in the kit: silent
    let midi = t.dir.path().join("groove.mid");
    std::fs::write(&midi, samplemind::ml::midi_file::to_smf_bytes(&notes)).unwrap();
    let audio = render(&e.sfz, &midi, RATE).unwrap();

    let kick = hit(55.0, 0.12);
    let snare = hit(220.0, 0.12);
    let at = |s: f64| (s * f64::from(RATE)).round() as usize;
    let matches = |start: usize, sound: &[f32]| {
        audio[start..start + sound.len()]
            .iter()
            .zip(sound)
            .all(|(a, b)| (a - b).abs() < 1e-3)
    };
    for &s in &kicks {
        assert!(matches(at(s), &kick), "the kick plays at {s} s");
        assert!(!matches(at(s), &snare));
    }
    assert!(matches(at(0.25), &snare), "the snare on note 38");
    let tail = audio.get(at(1.75)..).unwrap_or(&[]);
    assert!(
        tail.iter().all(|x| x.abs() < 1e-6),
        "a note with no pad is silent"
    );
}
