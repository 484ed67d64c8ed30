//! Playing in a project's tempo and key, checked by analysis: what the stretcher renders is
//! read back by the same analyser a scan uses.

use samplemind::analysis::pitch::midi_of;
use samplemind::analysis::{analyse_file, AnalysisOptions};
use samplemind::sync::{plan, render, Project};

use crate::util::*;

#[test]
fn a_120_bpm_a_minor_loop_rendered_for_128_f_minor_reads_back_128_and_f_minor() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("loop.wav");
    let x = a_minor_loop(44_100, 120.0, 4);
    write_wav(&src, &[x.clone(), x], 44_100, 24);
    let before = analyse_file(&src, &AnalysisOptions::default())
        .unwrap()
        .analysis;
    // The fixture itself must read as what it is, or the check below says nothing.
    assert!(before.is_loop, "{before:?}");
    assert!(
        (before.bpm.unwrap() - 120.0).abs() < 0.5,
        "{:?}",
        before.bpm
    );
    assert_eq!(before.key.as_deref(), Some("A minor"));

    let p = plan(&before, &Project::new(Some(128.0), Some("F minor")), None);
    assert_eq!(p.bars, Some(4.0));
    let out = dir.path().join("synced.wav");
    render(&src, p.stretch, None, &out).unwrap();
    let after = analyse_file(&out, &AnalysisOptions::default())
        .unwrap()
        .analysis;
    eprintln!(
        "synced: {:?} BPM, {:?}, {:.3} s",
        after.bpm, after.key, after.duration_s
    );
    assert!(
        (after.duration_s - 7.5).abs() < 0.001,
        "{}",
        after.duration_s
    );
    assert!((after.bpm.unwrap() - 128.0).abs() <= 0.5, "{:?}", after.bpm);
    assert_eq!(after.key.as_deref(), Some("F minor"));
}

#[test]
fn a_one_shot_shifted_from_a2_to_c3_reads_back_c3_at_its_length() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("a2.wav");
    write_wav(&src, &[pluck(44_100, 45.0, 1.5)], 44_100, 24);
    let before = analyse_file(&src, &AnalysisOptions::default())
        .unwrap()
        .analysis;
    assert_eq!(before.root_note.as_deref(), Some("A2"), "{before:?}");
    let p = plan(&before, &Project::new(None, None), midi_of("C3"));
    assert_eq!(p.note.as_deref(), Some("C3"));
    let out = dir.path().join("c3.wav");
    render(&src, p.stretch, None, &out).unwrap();
    let after = analyse_file(&out, &AnalysisOptions::default())
        .unwrap()
        .analysis;
    assert_eq!(after.root_note.as_deref(), Some("C3"), "{after:?}");
    assert!(
        (after.duration_s - 1.5).abs() < 0.001,
        "{}",
        after.duration_s
    );
}
