//! zenkit-filer: the directory message queue of Mentat's daemons ("filer"
//! queues), as a library, durable and safe for parallel instances.
//!
//! CESNET's Mentat chains its daemons through directory queues
//! (`mentat.dirq.DirectoryQueue`): each daemon takes messages from its
//! queue and hands them on to the next daemon's. [`DirQueue`] reads and
//! writes the same directories, so Rust and Python stages can be mixed in
//! one chain, and can be used without a daemon (a producer, a cron script,
//! a test).
//!
//! ```
//! use zenkit_filer::{DirQueue, Options};
//!
//! # fn main() -> zenkit::Result<()> {
//! let spool = tempfile::tempdir()?;
//! let (inspector, enricher) = (spool.path().join("inspector"), spool.path().join("enricher"));
//! let options = Options {
//!     next: Some(enricher.clone()),
//!     recover: true,
//!     ..Options::default()
//! };
//! let mut queue = DirQueue::open(&inspector, options)?;
//! queue.enqueue(br#"{"Format": "IDEA0"}"#)?;
//! queue.enqueue(b"  \n")?;
//!
//! while let Some(message) = queue.next()? {
//!     if message.is_blank() {
//!         let reason = serde_json::json!({"reason": "empty message"});
//!         queue.banish(&message, Some(&reason))?;
//!         continue;
//!     }
//!     let mut idea: serde_json::Value = serde_json::from_slice(message.data())?;
//!     idea["Note"] = "inspected".into();
//!     queue.update(&message, idea.to_string().as_bytes())?;
//!     queue.commit(&message)?;
//! }
//! assert_eq!(queue.count_errors()?, 1);
//! assert_eq!(queue.next_queue_len(), Some(1));
//!
//! let mut next = DirQueue::open(&enricher, Options::default())?;
//! let message = next.next()?.expect("the committed message");
//! assert_eq!(message.text(), Some(r#"{"Format":"IDEA0","Note":"inspected"}"#));
//! next.commit(&message)?;
//! # Ok(())
//! # }
//! ```
//!
//! # On disk
//!
//! A queue is a directory with four subdirectories:
//!
//! | directory   | holds                                                       |
//! |-------------|-------------------------------------------------------------|
//! | `incoming/` | complete messages waiting to be taken, and nothing else      |
//! | `pending/`  | messages being processed, under the same names              |
//! | `tmp/`      | files being written                                         |
//! | `errors/`   | banished messages, each with an optional `<id>.meta` JSON file |
//!
//! A message is one file whose name is its id ([`MessageId`]):
//! `<host>.<pid>.<time>.<st_dev>.<st_ino>.msg`, as Mentat makes them. A
//! writer creates `tmp/<host>.<pid>.<time>.0.0.msg` exclusively, writes it
//! and renames it into `incoming/` under its id. Taking a message renames
//! it from `incoming/` into `pending/`; when two instances race for one,
//! one rename fails and that instance goes on with the next message.
//! Committing moves the message into the next queue's `tmp/`, then into its
//! `incoming/`, or deletes it when there is no next queue. Banishing moves
//! it into `errors/`; dispatching into any directory; duplicating copies it
//! there through `tmp/`. Metadata files are JSON as Python's
//! `json.dump(metadata, sort_keys=True, indent=4)` writes them.
//!
//! Mentat's Python `DirectoryQueue` takes what a [`DirQueue`] enqueues or
//! commits, and the other way round.
//!
//! # Durability
//!
//! Every file is flushed to disk (`fsync`) before the rename that publishes
//! it, and the directory that receives a message is flushed after: once
//! [`enqueue`](DirQueue::enqueue), [`update`](DirQueue::update),
//! [`commit`](DirQueue::commit), [`banish`](DirQueue::banish),
//! [`dispatch`](DirQueue::dispatch) or [`duplicate`](DirQueue::duplicate)
//! returns, what it wrote survives a power loss:
//!
//! | operation   | flushes                                            |
//! |-------------|----------------------------------------------------|
//! | `enqueue`   | the new file, `incoming/`                          |
//! | `update`    | the new content (in `tmp/`)                        |
//! | `commit`    | the files of [`flush_with`](DirQueue::flush_with), the next queue's `incoming/` (and, from another file system, the copy) |
//! | `banish`    | the `.meta` file, `errors/`                        |
//! | `dispatch`  | the `.meta` file, the target directory             |
//! | `duplicate` | the copy, the `.meta` file, the target directory   |
//! | `next`, `cancel`, commit without next queue | nothing besides the files of `flush_with` |
//!
//! The directory a message leaves is not flushed, nor `pending/` after an
//! update (the exchange with the message is atomic): after a power loss the
//! message may be back where it was, or have its content from before the
//! update (taken again, or recovered from `pending/`), never lost. Delivery
//! is at least once. A message written by a writer that does not flush
//! (Mentat's Python queue does not) is only as durable as that writer made
//! it. [`Stats::fsyncs`] counts the flushes.
//!
//! # Group commit
//!
//! Two flushes per message bound a stage to a few hundred messages a
//! second on most disks. With [`Options::group_commit`], `enqueue`,
//! `update` and `commit` stage their work and [`DirQueue::flush`] makes a
//! whole batch take effect with one flush of the new contents (`syncfs`)
//! and one of each directory that received messages; the guarantees above
//! then hold once `flush` returns. The [`Filer`] component flushes per
//! batch and whenever its input queue runs dry.
//!
//! An update does not create a file: it writes into a spare file of
//! `tmp/` (`<host>.<pid>.<time>.spare`, locked by its instance) and
//! exchanges it with the message (`renameat2(RENAME_EXCHANGE)`; a rename
//! over it where the file system cannot), and the message's old file is
//! the next spare; so is the old file of a message whose new content was
//! committed, which leaves `pending/` only once the next queue's
//! `incoming/` holding its new content is flushed. Creating and removing
//! files is what costs most on ext4 and most file systems. Spares go with their queue; recovery removes those
//! of instances that died.
//!
//! # Parallel instances and recovery
//!
//! Several instances (threads or processes) may take messages from one
//! queue; each message is processed by one of them. An instance locks each
//! message file (`flock(LOCK_EX)`) from before it renames it into
//! `pending/` until the first rename of its commit (or its banishment,
//! dispatch or cancellation); an update locks the new file before putting
//! it in place of the old one, so a message is never unlocked in `pending/` while
//! its instance runs. The lock goes with the process: when an instance dies
//! its messages become unlocked, and [`DirQueue::recover`] (at open and at
//! every rescan with [`Options::recover`]) moves the unlocked messages of
//! `pending/` back to `incoming/`, never one that a live instance holds.
//! `pending/` keeps Mentat's names and holds no other files.
//!
//! **Caveat:** Mentat's Python instances do not lock the messages they
//! process. Do not let Python and zenkit instances read the same input
//! queue with recovery on: the zenkit instances would take the Python
//! instances' pending messages for abandoned ones and process them again.
//! Python stages before or after a zenkit stage are fine.
//!
//! The queue does not clean the files of writers in `tmp/`: a writer that
//! died half way leaves its file there, as with Mentat.
//!
//! # Back-pressure
//!
//! A daemon pauses while the next queue is too full, without listing that
//! directory at every check: [`DirQueue::next_queue_len`] is the count made
//! at open or at the last [`DirQueue::recount_next`] plus this queue's
//! commits since, and a daemon recounts at its rescan interval
//! ([`DirQueue::rescan`]). As the next stage takes messages meanwhile,
//! the estimate errs high: the [`Filer`] component counts the next queue
//! again before it pauses for it, so a stage pauses only for a queue that
//! is full by a count.
//!
//! # Bad messages
//!
//! [`Message::is_blank`] tells an empty message, which Mentat's filer
//! banishes; [`DirQueue::banish`] takes metadata naming the reason. What
//! cannot be a message (a symbolic link, a directory, a FIFO, a name that
//! is not UTF-8) or is larger than [`Options::max_message_size`] is
//! banished by the queue itself, with a `.meta` file giving the reason.
//!
//! # Safety as root
//!
//! [`DirQueue::open`] refuses, with one error naming the directory and what
//! is wrong, queue directories that other users could tamper with (see
//! there). Message files are never opened through a symbolic link
//! (`O_NOFOLLOW`), nor opened at all when they are not regular files.
//! Missing directories are created with [`Options::perms`], owned by
//! [`Options::user`] and [`Options::group`].
//!
//! # Other backends
//!
//! The [`Filer`] component drives its queues through [`QueueBackend`];
//! [`DirBackend`] is the directory queue. A crate adds a backend for the
//! URLs of a scheme by registering a [`BackendKind`]: when `queue_in_dir`
//! or `queue_out_dir` is such a URL (`nats:///ENRICH` with
//! zenkit-filer-nats, NATS JetStream), the filer asks that backend to open
//! its queues, and the daemon's handlers, events and statistics stay the
//! same. A URL of a scheme no linked crate registered is a configuration
//! error naming the key. [`open_producer`] opens a queue of any backend
//! only to enqueue into it, for a first stage.
//!
//! # Errors
//!
//! Errors are [`zenkit::Error`]s, whose message names the file or
//! directory and what failed; see [`DirQueue`].

#![warn(missing_docs)]
#![warn(unnameable_types)]

mod backend;
mod channel;
mod component;
mod dirs;
mod files;
mod flush;
mod id;
mod json;
mod queue;
mod stats;

pub use backend::{open_producer, BackendKind, DirBackend, Endpoint, QueueBackend, Spec};
pub use channel::{Channel, FilerKeys, Main};
pub use component::{Filer, FilerConfig, Process};
pub use id::{IdParts, MessageId};
pub use json::to_python_json;
pub use queue::{DirQueue, Message, Options, Rescan};
pub use stats::Stats;
