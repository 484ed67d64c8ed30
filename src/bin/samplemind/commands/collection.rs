//! `samplemind collection list|show|add|remove|rename|delete`.

use samplemind::library::{browse, curation};
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::CollectionCommand;

pub fn run(lib: &Library, cmd: CollectionCommand) -> Result<Outcome, Error> {
    // Files are named by their content, as every face names a sample.
    let ids = |samples: &[String]| -> Result<Vec<String>, Error> {
        samples
            .iter()
            .map(|q| Ok(browse::resolve(lib, q)?.hash.to_hex()))
            .collect()
    };
    match cmd {
        CollectionCommand::List(f) => {
            let all = curation::list_collections(lib);
            if f.json {
                println!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                println!("no collections yet: samplemind collection add NAME FILE...");
            }
            if !f.json {
                for c in &all {
                    println!("{:>6}  {}", c.count, c.name);
                }
            }
        }
        CollectionCommand::Show { name, json } => {
            for s in curation::collection_samples(lib, &name)? {
                if json {
                    println!("{}", serde_json::to_string(&s)?);
                } else {
                    println!("{}", s.path);
                }
            }
        }
        CollectionCommand::Add { name, samples } => {
            let c = curation::add_to_collection(lib, &name, &ids(&samples)?)?;
            println!("{}: {} samples", c.name, c.count);
        }
        CollectionCommand::Remove { name, samples } => {
            let c = curation::remove_from_collection(lib, &name, &ids(&samples)?)?;
            println!("{}: {} samples", c.name, c.count);
        }
        CollectionCommand::Rename { from, to } => {
            let c = curation::rename_collection(lib, &from, &to)?;
            println!("{}: {} samples", c.name, c.count);
        }
        CollectionCommand::Delete { name } => {
            curation::delete_collection(lib, &name)?;
            println!("deleted {name} (its samples stay in the library)");
        }
    }
    Ok(Outcome::Clean)
}
