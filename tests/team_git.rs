//! Two analysts share a project through a git remote: the merge driver (`marginalia merge`)
//! and the textconv (`marginalia diff-text`) set up by `marginalia setup-git --local`.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;
use common::*;
use std::fs;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_marginalia");

/// Runs marginalia as one analyst: their settings folder holds `author.ron` with their name
/// (and nothing from the real user's settings reaches the test).
fn ok_as(settings: &Path, args: &[&str]) -> String {
    let o = Command::new(BIN)
        .args(args)
        .env("MARGINALIA_CONFIG", settings)
        .output()
        .expect("the marginalia binary runs");
    assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
    stdout(&o)
}

fn settings_of(root: &Path, name: &str) -> std::path::PathBuf {
    let dir = root.join(format!("settings-{name}"));
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("author.ron"), format!("(name: \"{name}\")")).unwrap();
    dir
}

fn stats(project: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(&["stats", p(project), "--json"])).unwrap()
}

fn clone(root: &Path, name: &str) -> std::path::PathBuf {
    git_ok(root, &["clone", "-q", "remote.git", name]);
    let dir = root.join(name);
    git_ok(&dir, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    let out = ok(&["setup-git", p(&dir), "--local", "--program", BIN]);
    assert!(out.contains("merge.marginalia.driver"), "{out}");
    dir
}

/// Both analysts retype the first span of the first document, each in their own way.
fn retype_first_span(project: &Path, ty: &str) {
    let mut p = marginalia::store::load(project).unwrap();
    let d = std::sync::Arc::make_mut(&mut p.documents[0]);
    d.spans[0].entity_type = ty.into();
    marginalia::store::save(&p, project).unwrap();
}

#[test]
fn two_analysts_merge_through_a_remote() {
    if !has_git() {
        eprintln!("git is not installed: skipping the team-on-git test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    git_ok(root, &["init", "-q", "--bare", "remote.git"]);
    git_ok(
        &root.join("remote.git"),
        &["symbolic-ref", "HEAD", "refs/heads/main"],
    );
    let docs = root.join("articles");
    fs::create_dir_all(&docs).unwrap();
    fs::write(
        docs.join("talks.txt"),
        "Talks in Geneva\n\nArmenia and Azerbaijan resumed talks in Geneva on Monday. Prime Minister Nikol Pashinyan met NATO officials.\n",
    )
    .unwrap();
    fs::write(
        docs.join("summit.txt"),
        "Summit\n\nThe CSTO met in Yerevan on September 13, 2022. Russia and Armenia disagreed.\n",
    )
    .unwrap();
    let later = root.join("later.txt");
    fs::write(
        &later,
        "Aid convoy\n\nTrucks from the European Union reached Goris on Tuesday, officials in Yerevan said.\n",
    )
    .unwrap();

    let (as_alice, as_bob) = (settings_of(root, "Alice"), settings_of(root, "Bob"));
    // Alice starts the project and shares it.
    let alice = clone(root, "alice");
    let a_project = alice.join("project.ron");
    ok(&["new", p(&a_project), "--name", "Caucasus desk"]);
    ok_as(&as_alice, &["import", p(&a_project), p(&docs)]);
    let attributes = fs::read_to_string(alice.join(".gitattributes")).unwrap();
    assert_eq!(attributes.matches("merge=marginalia").count(), 1);
    git_ok(&alice, &["add", ".gitattributes", "project.ron"]);
    git_ok(&alice, &["commit", "-q", "-m", "start"]);
    git_ok(&alice, &["push", "-q", "origin", "main"]);

    let bob = clone(root, "bob");
    let b_project = bob.join("project.ron");
    // setup-git again on a checkout that has .gitattributes: not duplicated.
    let attributes = fs::read_to_string(bob.join(".gitattributes")).unwrap();
    assert_eq!(attributes.matches("merge=marginalia").count(), 1);

    // Alice imports an article; Bob accepts suggestions on the existing ones.
    ok_as(&as_alice, &["import", p(&a_project), p(&later)]);
    git_ok(&alice, &["commit", "-q", "-am", "import the aid article"]);
    git_ok(&alice, &["push", "-q", "origin", "main"]);
    // The textconv shows the change in annotation terms.
    let shown = git_ok(&alice, &["diff", "HEAD~1", "HEAD", "--", "project.ron"]);
    assert!(shown.contains("+document \""), "{shown}");

    ok_as(&as_bob, &["suggest", p(&b_project), "--accept"]);
    let bob_spans = stats(&b_project)["spans"].as_u64().unwrap();
    assert!(bob_spans > 0);
    git_ok(&bob, &["commit", "-q", "-am", "accept suggestions"]);
    let pulled = git(&bob, &["pull", "--no-rebase", "origin", "main"]);
    assert!(
        pulled.status.success(),
        "the merge is clean:\n{}\n{}",
        stdout(&pulled),
        stderr(&pulled)
    );
    let merged = stats(&b_project);
    assert_eq!(merged["documents"], 3);
    assert_eq!(merged["spans"].as_u64().unwrap(), bob_spans);
    let said = format!("{}{}", stdout(&pulled), stderr(&pulled));
    assert!(
        said.contains("0 ids renumbered"),
        "ids from two author blocks: {said}"
    );
    // Every id is unique (the store checks it on load) and was handed out by a counter.
    let project = marginalia::store::load(&b_project).unwrap();
    assert!(project.conflicts.is_empty());
    // Who made what: Bob's accepted spans say so; Alice's documents came from her block.
    let first_span = project.documents.iter().flat_map(|d| &d.spans).next();
    let bob_block = marginalia::model::block_of(first_span.unwrap().id.0)
        .unwrap()
        .0;
    assert_eq!(project.id_blocks.len(), 2, "{:?}", project.id_blocks);
    for d in &project.documents {
        assert_ne!(marginalia::model::block_of(d.id.0).unwrap().0, bob_block);
        for s in &d.spans {
            assert_eq!(s.made.as_ref().unwrap().by, "Bob");
            assert_eq!(marginalia::model::block_of(s.id.0).unwrap().0, bob_block);
        }
    }
    let mut ids: Vec<u64> = project.entities.iter().map(|e| e.id.0).collect();
    for d in &project.documents {
        ids.push(d.id.0);
        ids.extend(d.spans.iter().map(|s| s.id.0));
        ids.extend(d.relations.iter().map(|r| r.id.0));
    }
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);
    assert!(ids.iter().all(|&id| !project.is_fresh_id(id)));
    let status = git_ok(&bob, &["status", "--porcelain"]);
    assert!(
        !status.contains(".merge_file") && !status.contains(".lock"),
        "the driver leaves nothing behind: {status}"
    );
    git_ok(&bob, &["push", "-q", "origin", "main"]);
    git_ok(&alice, &["pull", "-q", "--no-rebase", "origin", "main"]);
    assert_eq!(stats(&a_project), merged);

    // Both retype the same span differently: a true conflict.
    retype_first_span(&a_project, "NORP");
    git_ok(&alice, &["commit", "-q", "-am", "NORP"]);
    git_ok(&alice, &["push", "-q", "origin", "main"]);
    retype_first_span(&b_project, "EVENT");
    git_ok(&bob, &["commit", "-q", "-am", "EVENT"]);
    let pulled = git(&bob, &["pull", "--no-rebase", "origin", "main"]);
    assert!(!pulled.status.success(), "the driver reports the conflict");
    let said = format!("{}{}", stdout(&pulled), stderr(&pulled));
    assert!(said.contains("CONFLICT"), "{said}");
    assert!(
        said.contains("conflict remains") || said.contains("conflicts remain"),
        "{said}"
    );
    // The file in the work tree is a project that opens, with the conflict listed.
    let shown = ok(&["stats", p(&b_project)]);
    assert!(shown.contains("conflicts"), "{shown}");
    let project = marginalia::store::load(&b_project).unwrap();
    assert_eq!(project.conflicts.len(), 1, "{:?}", project.conflicts);
    let c = &project.conflicts[0];
    assert!(
        c.ours.contains("EVENT") && c.theirs.contains("NORP"),
        "{c:?}"
    );
    assert_eq!(project.documents[0].spans[0].entity_type, "EVENT");

    // The lead settles it with the curation code: THEIRS (Alice's, MERGE_HEAD) wins.
    use marginalia::team::curate::{Curation, Version, take_version_on_conflicts};
    let theirs = Version::from_git(&b_project, "MERGE_HEAD").unwrap();
    let curation = Curation::new(vec![theirs]);
    let mut settled = project.clone();
    let tx = take_version_on_conflicts(&settled, &curation, 0).unwrap();
    tx.apply(&mut settled).unwrap();
    assert!(settled.conflicts.is_empty());
    assert_eq!(settled.documents[0].spans[0].entity_type, "NORP");
    assert_eq!(
        settled.documents[0].spans[0].id,
        project.documents[0].spans[0].id
    );
    marginalia::store::save(&settled, &b_project).unwrap();
    git_ok(&bob, &["add", "project.ron"]);
    git_ok(&bob, &["commit", "-q", "-m", "settle NORP"]);
    git_ok(&bob, &["push", "-q", "origin", "main"]);
    git_ok(&alice, &["pull", "-q", "--no-rebase", "origin", "main"]);
    let final_project = marginalia::store::load(&a_project).unwrap();
    assert!(final_project.conflicts.is_empty());
    assert_eq!(final_project.documents[0].spans[0].entity_type, "NORP");
}

/// `agree` of a project with itself is 1.0; a copy with one type removed is below 1.
#[test]
fn agree_of_a_project_with_itself_is_one_and_with_a_type_removed_below() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&ok(args)).unwrap() };
    let same = json(&["agree", p(&sample), p(&sample), "--json"]);
    assert_eq!(same["entities"]["f1"], 1.0, "{same}");
    assert_eq!(same["entities"]["kappa"], 1.0, "{same}");
    assert_eq!(same["relations"]["f1"], 1.0, "{same}");
    assert_eq!(same["documents"], 6);

    let mut copy = marginalia::store::load(&sample).unwrap();
    for d in &mut copy.documents {
        let d = std::sync::Arc::make_mut(d);
        let gone: Vec<_> = d
            .spans
            .iter()
            .filter(|s| s.entity_type == "GPE")
            .map(|s| s.id)
            .collect();
        d.relations
            .retain(|r| !gone.contains(&r.source) && !gone.contains(&r.target));
        d.spans.retain(|s| s.entity_type != "GPE");
    }
    let without = tmp.path().join("no-gpe.ron");
    marginalia::store::save(&copy, &without).unwrap();
    let less = json(&["agree", p(&sample), p(&without), "--json"]);
    let f1 = less["entities"]["f1"].as_f64().unwrap();
    assert!(f1 < 1.0 && f1 > 0.0, "{less}");
    assert!(less["entities"]["kappa"].as_f64().unwrap() < 1.0, "{less}");
    assert_eq!(less["entities"]["per_type"]["GPE"]["f1"], 0.0, "{less}");
    assert_eq!(less["entities"]["per_type"]["PER"]["f1"], 1.0, "{less}");
}

/// A lead picks analysts' versions from git: branches and commits are listed, each loads as
/// a version, the curation compares them with the project and settles a disagreement.
#[test]
fn versions_to_curate_come_from_git_branches_and_commits() {
    use marginalia::team::curate::{Choice, Curation, Version, git_revisions, plan};
    if !has_git() {
        eprintln!("git is not installed: skipping the curation-from-git test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = git_repo(tmp.path(), "case");
    let project = repo.join("project.ron");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    fs::copy(&sample, &project).unwrap();
    git_ok(&repo, &["add", "project.ron"]);
    git_ok(&repo, &["commit", "-q", "-m", "start"]);
    let first = git_ok(&repo, &["rev-parse", "--short", "HEAD"]);
    let first = first.trim();
    git_ok(&repo, &["checkout", "-q", "-b", "bob"]);
    retype_first_span(&project, "EVENT");
    git_ok(&repo, &["commit", "-q", "-am", "Bob: EVENT"]);
    git_ok(&repo, &["checkout", "-q", "main"]);

    let revisions = git_revisions(&project).unwrap();
    let revs: Vec<&str> = revisions.iter().map(|r| r.rev.as_str()).collect();
    assert!(revs.contains(&"bob") && revs.contains(&"main"), "{revs:?}");
    assert!(revs.contains(&first), "{revs:?}");
    assert!(
        revisions
            .iter()
            .any(|r| r.label.contains("Analyst") && r.label.contains("Bob: EVENT")),
        "{revisions:?}"
    );

    let bob = Version::from_git(&project, "bob").unwrap();
    assert_eq!(bob.label, "bob:project.ron");
    let at_first = Version::from_git(&project, first).unwrap();
    let bad = Version::from_git(&project, "no-such-branch")
        .unwrap_err()
        .to_string();
    assert!(
        bad.contains("project.ron") && bad.contains("no-such-branch"),
        "{bad}"
    );
    let outside = tmp.path().join("loose.ron");
    fs::copy(&sample, &outside).unwrap();
    assert!(Version::from_git(&outside, "main").is_err());

    // Two versions beside the project (main): the first span is the one place they differ.
    let mut target = marginalia::store::load(&project).unwrap();
    let doc = target.documents[0].id;
    let curation = Curation::new(vec![bob, at_first]);
    let items = curation.items(&target, doc);
    let disputed: Vec<_> = items.iter().filter(|i| !i.agreed).collect();
    assert_eq!(disputed.len(), 1, "{disputed:?}");
    let item = disputed[0];
    let event = item
        .readings
        .iter()
        .position(|r| r.label == "EVENT")
        .unwrap();
    assert_eq!(item.readings[event].versions, [0]);
    let tx = plan(
        &target,
        &curation.resolve(doc, item, Choice::Reading(event)),
    )
    .unwrap();
    tx.apply(&mut target).unwrap();
    assert_eq!(target.documents[0].spans[0].entity_type, "EVENT");
    let again = curation.items(&target, doc);
    let place = again.iter().find(|i| i.place == item.place).unwrap();
    assert_eq!(place.current, ["EVENT"]);
}

/// With no author in Marginalia's settings, a project in a git work tree is edited as
/// `git config user.name`: the imported spans carry that name, and the JSON export says it.
#[test]
fn the_author_defaults_to_git_user_name_in_a_work_tree() {
    if !has_git() {
        eprintln!("git is not installed: skipping the git-author test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let repo = git_repo(tmp.path(), "case");
    git_ok(&repo, &["config", "user.name", "Nora Git"]);
    let settings = tmp.path().join("empty-settings");
    fs::create_dir(&settings).unwrap();
    let project = repo.join("project.ron");
    ok_as(&settings, &["new", p(&project)]);
    fs::write(repo.join("talks.conll"), "Kari B-GPE\ntalks O\n").unwrap();
    ok_as(
        &settings,
        &["import", p(&project), p(&repo.join("talks.conll"))],
    );
    let loaded = marginalia::store::load(&project).unwrap();
    let made = loaded.documents[0].spans[0].made.as_ref().unwrap();
    assert_eq!(made.by, "Nora Git");
    let json = json_export(&project, tmp.path());
    assert_eq!(json["documents"][0]["spans"][0]["made"]["by"], "Nora Git");
}
