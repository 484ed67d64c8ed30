//! Musical key names: one canonical spelling (`"A minor"`, `"Eb major"`, tonics
//! `C C# D Eb E F F# G Ab A Bb B`) from the many a producer types.

/// Canonical tonic spelling by pitch class, C = 0.
pub const TONICS: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

/// Pitch class (C = 0) of a note name such as `C`, `c#`, `Db`, `E♭`.
pub fn pitch_class(note: &str) -> Option<u8> {
    let mut chars = note.chars();
    let base = match chars.next()?.to_ascii_uppercase() {
        'C' => 0i8,
        'D' => 2,
        'E' => 4,
        'F' => 5,
        'G' => 7,
        'A' => 9,
        'B' => 11,
        _ => return None,
    };
    let mut pc = base;
    // A double sharp or flat is the most any spelling uses; more is not a note (and a long
    // run of them must not overflow).
    if chars.clone().count() > 2 {
        return None;
    }
    for c in chars {
        match c {
            '#' | '♯' => pc += 1,
            'b' | '♭' => pc -= 1,
            _ => return None,
        }
    }
    Some(pc.rem_euclid(12) as u8)
}

/// The tonic's pitch class (C = 0) and whether the key is minor, for any spelling
/// [`normalise`] reads; `None` if it is not a key.
pub fn tonic_and_mode(key: &str) -> Option<(i32, bool)> {
    let canonical = normalise(key)?;
    let (tonic, mode) = canonical.split_once(' ')?;
    Some((pitch_class(tonic)? as i32, mode == "minor"))
}

/// Canonical `"<tonic> <major|minor>"` for `Am`, `A min`, `a minor`, `Bbm`, `C` (major),
/// `F#maj`, or Camelot `8A` / `8B`; `None` if it is not a key.
pub fn normalise(s: &str) -> Option<String> {
    // Key names are ASCII once the two musical accidentals are spelled out; anything else is
    // not a key (and slicing below may then rely on one byte per character).
    let spelled = s.trim().replace('♯', "#").replace('♭', "b");
    if !spelled.is_ascii() {
        return None;
    }
    let t = spelled.as_str();
    if let Some(k) = camelot(t) {
        return Some(k);
    }
    let lower = t.to_lowercase();
    let (note_part, minor) =
        if let Some(n) = strip_any(&lower, &[" minor", "minor", " min", "min", "m"]) {
            (n, true)
        } else if let Some(n) = strip_any(&lower, &[" major", "major", " maj", "maj"]) {
            (n, false)
        } else {
            (lower.as_str(), false)
        };
    // Keep the original case of the accidental: "Bb" must not read as "B" + "b" lost.
    let note = &t[..note_part.trim().len()];
    let pc = pitch_class(note.trim())?;
    Some(format!(
        "{} {}",
        TONICS[pc as usize],
        if minor { "minor" } else { "major" }
    ))
}

fn strip_any<'a>(s: &'a str, suffixes: &[&str]) -> Option<&'a str> {
    suffixes
        .iter()
        .find_map(|suf| s.strip_suffix(suf))
        .filter(|n| !n.trim().is_empty())
}

/// Camelot wheel: 8A = A minor, 8B = C major; each step is a fifth.
fn camelot(s: &str) -> Option<String> {
    let (last, _) = s.char_indices().last()?;
    let (num, letter) = s.split_at(last);
    let n: i32 = num.parse().ok().filter(|n| (1..=12).contains(n))?;
    let minor = match letter {
        "A" | "a" => true,
        "B" | "b" => false,
        _ => return None,
    };
    // 8B = C (pc 0); each number up is a fifth (+7 semitones). 8A is its relative minor.
    let major_pc = ((n - 8) * 7).rem_euclid(12);
    let pc = if minor { (major_pc + 9) % 12 } else { major_pc };
    Some(format!(
        "{} {}",
        TONICS[pc as usize],
        if minor { "minor" } else { "major" }
    ))
}

/// The keys a DJ or producer mixes with `key` (any spelling): itself, its relative, and the
/// keys a fifth above and below in the same mode (the Camelot wheel's neighbours), in that
/// order, canonically spelled. Empty when `key` is not a key.
pub fn compatible(key: &str) -> Vec<String> {
    let Some(k) = normalise(key) else {
        return Vec::new();
    };
    let minor = k.ends_with("minor");
    let Some(pc) = k.split(' ').next().and_then(pitch_class) else {
        return Vec::new();
    };
    let name = |pc: i32, minor: bool| {
        format!(
            "{} {}",
            TONICS[pc.rem_euclid(12) as usize],
            if minor { "minor" } else { "major" }
        )
    };
    let pc = i32::from(pc);
    let relative = if minor { pc + 3 } else { pc + 9 };
    vec![
        k.clone(),
        name(relative, !minor),
        name(pc + 7, minor),
        name(pc - 7, minor),
    ]
}

/// A note with an optional octave (`A1`, `F#3`, `Eb`, `C-1`): its pitch class and octave.
pub fn note_and_octave(s: &str) -> Option<(u8, Option<i8>)> {
    let s = s.trim();
    let split = s
        .char_indices()
        .find(|(i, c)| *i > 0 && (c.is_ascii_digit() || *c == '-'))
        .map_or(s.len(), |(i, _)| i);
    let (note, octave) = s.split_at(split);
    let pc = pitch_class(note)?;
    if octave.is_empty() {
        return Some((pc, None));
    }
    let o: i8 = octave.parse().ok().filter(|o| (-1..=9).contains(o))?;
    Some((pc, Some(o)))
}

#[cfg(test)]
mod tests {
    use super::{compatible, normalise, note_and_octave};

    #[test]
    fn compatible_keys_are_the_relative_and_the_fifths_either_side() {
        assert_eq!(
            compatible("Am"),
            ["A minor", "C major", "E minor", "D minor"]
        );
        assert_eq!(
            compatible("8B"),
            ["C major", "A minor", "G major", "F major"]
        );
        assert!(compatible("H").is_empty());
    }

    #[test]
    fn notes_read_with_and_without_an_octave() {
        assert_eq!(note_and_octave("A1"), Some((9, Some(1))));
        assert_eq!(note_and_octave("f#3"), Some((6, Some(3))));
        assert_eq!(note_and_octave("Eb"), Some((3, None)));
        assert_eq!(note_and_octave("C-1"), Some((0, Some(-1))));
        assert_eq!(note_and_octave("H2"), None);
        assert_eq!(note_and_octave("A12"), None);
        assert_eq!(note_and_octave(&format!("C{}", "#".repeat(200))), None);
        assert_eq!(note_and_octave("C##"), Some((2, None)));
        assert_eq!(note_and_octave(""), None);
    }

    #[test]
    fn spellings_fold_to_one_name() {
        for (input, want) in [
            ("A minor", "A minor"),
            ("Am", "A minor"),
            ("a min", "A minor"),
            ("Bbm", "Bb minor"),
            ("A#m", "Bb minor"),
            ("C", "C major"),
            ("Db major", "C# major"),
            ("F#maj", "F# major"),
            ("8A", "A minor"),
            ("8B", "C major"),
            ("9B", "G major"),
        ] {
            assert_eq!(normalise(input).as_deref(), Some(want), "{input}");
        }
        assert_eq!(normalise("H minor"), None);
        assert_eq!(normalise(""), None);
        assert_eq!(normalise("13A"), None);
        assert_eq!(normalise("E♭m").as_deref(), Some("Eb minor"));
    }

    /// Found by the API's property-based run: a 500 from a panic on a non-ASCII key filter.
    #[test]
    fn any_text_is_a_key_or_none_never_a_panic() {
        for s in [
            "e𓀆\u{50a05}8\u{94382}",
            "İm",
            "8é",
            "🎹",
            "ä minor",
            "m",
            "A\u{301}m",
        ] {
            let _ = normalise(s);
        }
        assert_eq!(normalise("𓀆"), None);
        assert_eq!(normalise("8𓀆"), None);
    }
}
