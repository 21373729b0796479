//! wasi_walk_rs: the same kind of walk as wasi_walk.c, through Rust's std over WASI (a second libc).
//!
//! usage: wasi_walk_rs DIR [EXIT_CODE [ARGS...]]
//!   DIR       a preopened directory, empty at start (left empty at the end)
//!   EXIT_CODE passed to std::process::exit at the end (default 0)
//! stdout is deterministic (see wasi_walk_rs.expected). Built by build.sh (rustc 1.63, wasm32-wasi).
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> u16;
}

struct Report {
    failures: u32,
}

impl Report {
    fn check(&mut self, name: &str, cond: bool) {
        if cond {
            println!("ok {}", name);
        } else {
            println!("FAIL {}", name);
            self.failures += 1;
        }
    }

    fn ok<T>(&mut self, name: &str, r: io::Result<T>) -> Option<T> {
        match r {
            Ok(v) => {
                println!("ok {}", name);
                Some(v)
            }
            Err(e) => {
                println!("FAIL {} ({:?})", name, e.kind());
                self.failures += 1;
                None
            }
        }
    }

    /// An operation that must fail; prints its io::ErrorKind and the WASI errno number.
    fn err<T>(&mut self, name: &str, r: io::Result<T>) {
        match r {
            Ok(_) => {
                println!("FAIL {} succeeded", name);
                self.failures += 1;
            }
            Err(e) => println!("{} -> {:?} (errno {})", name, e.kind(), e.raw_os_error().unwrap_or(-1)),
        }
    }
}

fn listing(dir: &Path) -> io::Result<String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let ft = entry.file_type()?;
        let mark = if ft.is_dir() { "/" } else if ft.is_symlink() { "@" } else { "" };
        names.push(format!("{}{}", entry.file_name().to_string_lossy(), mark));
    }
    names.sort();
    Ok(names.join(" "))
}

fn fnv1a(data: &[u8]) -> u64 {
    let mut h: u64 = 14695981039346656037;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(1099511628211);
    }
    h
}

fn random_bytes(buf: &mut [u8]) -> bool {
    unsafe { wasi_random_get(buf.as_mut_ptr(), buf.len()) == 0 }
}

fn files(r: &mut Report, root: &Path) -> io::Result<()> {
    println!("== files");
    println!("ls root: [{}]", listing(root)?);
    let deep = root.join("x/y/z");
    r.ok("create_dir_all x/y/z", fs::create_dir_all(&deep));
    r.err("create_dir x again", fs::create_dir(root.join("x")));
    let file = deep.join("data.txt");
    r.ok("fs::write", fs::write(&file, "alpha\nbeta\n"));
    println!("read_to_string: {:?}", fs::read_to_string(&file)?);
    {
        let mut f = OpenOptions::new().append(true).open(&file)?;
        r.ok("append", f.write_all(b"gamma\n"));
    }
    println!("after append: {:?}", fs::read_to_string(&file)?);
    {
        let mut f = OpenOptions::new().read(true).write(true).open(&file)?;
        println!("seek start 6 = {}", f.seek(SeekFrom::Start(6))?);
        let mut four = [0u8; 4];
        f.read_exact(&mut four)?;
        println!("read 4 = {:?}", String::from_utf8_lossy(&four));
        println!("stream_position = {}", f.stream_position()?);
        println!("seek end -6 = {}", f.seek(SeekFrom::End(-6))?);
        f.write_all(b"GAMMA")?;
        println!("seek current 0 = {}", f.seek(SeekFrom::Current(0))?);
        r.ok("sync_all", f.sync_all());
        r.ok("set_len 11", f.set_len(11));
        let md = f.metadata()?;
        println!("metadata len={} is_file={} is_dir={}", md.len(), md.is_file(), md.is_dir());
    }
    println!("after set_len: {:?}", fs::read_to_string(&file)?);
    let md = fs::metadata(root.join("x/y"))?;
    println!("x/y is_dir={} is_file={}", md.is_dir(), md.is_file());
    r.err("metadata missing", fs::metadata(root.join("x/missing")));
    r.err("open missing", File::open(root.join("x/missing")));
    r.err("create_new existing", OpenOptions::new().write(true).create_new(true).open(&file));

    // modification time survives a set via the file's times (SystemTime of the host clock)
    let mtime = fs::metadata(&file)?.modified()?;
    let since = mtime.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    r.check("file mtime is after 2020", since > 1_577_836_800);

    for name in ["b.txt", "a.txt", "c.txt"] {
        fs::write(deep.join(name), name)?;
    }
    fs::create_dir(deep.join("sub"))?;
    println!("ls x/y/z: [{}]", listing(&deep)?);

    r.ok("rename file", fs::rename(deep.join("a.txt"), root.join("x/moved.txt")));
    r.err("read old name", fs::read(deep.join("a.txt")));
    println!("moved content: {:?}", fs::read_to_string(root.join("x/moved.txt"))?);
    r.ok("rename dir", fs::rename(deep.join("sub"), root.join("x/sub")));
    println!("ls x: [{}]", listing(&root.join("x"))?);

    r.ok("hard_link", fs::hard_link(root.join("x/moved.txt"), root.join("x/hard.txt")));
    println!("hard link content: {:?}", fs::read_to_string(root.join("x/hard.txt"))?);
    #[allow(deprecated)]
    let made = fs::soft_link("y/z/data.txt", root.join("x/link"));
    r.ok("soft_link", made);
    println!("read_link: {:?}", fs::read_link(root.join("x/link"))?);
    println!("symlink_metadata is_symlink={}", fs::symlink_metadata(root.join("x/link"))?.file_type().is_symlink());
    println!("through link: {:?}", fs::read_to_string(root.join("x/link"))?);
    println!("ls x: [{}]", listing(&root.join("x"))?);
    r.err("remove_dir non-empty", fs::remove_dir(root.join("x")));

    println!("== sandbox");
    r.err("read ../outside", fs::read(root.join("../outside")));
    r.err("write x/../../outside", fs::write(root.join("x/../../outside"), "no"));
    r.err("read /etc/passwd", fs::read("/etc/passwd"));

    println!("== cleanup");
    r.ok("remove_file link", fs::remove_file(root.join("x/link")));
    r.ok("remove_file hard", fs::remove_file(root.join("x/hard.txt")));
    r.ok("remove_dir_all x", fs::remove_dir_all(root.join("x")));
    println!("ls root: [{}]", listing(root)?);
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut r = Report { failures: 0 };
    println!("Hello, world from Rust on WASI!");
    println!("== args");
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("arg[{}]={}", i, a);
    }
    if args.len() < 2 {
        eprintln!("usage: wasi_walk_rs DIR [EXIT_CODE [ARGS...]]");
        std::process::exit(2);
    }
    let code: i32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);

    println!("== env");
    let vars: BTreeMap<String, String> = std::env::vars().collect();
    println!("count={}", vars.len());
    for (k, v) in &vars {
        println!("{}={}", k, v);
    }
    println!("var WALK_MODE={:?}", std::env::var("WALK_MODE").ok());
    println!("var MISSING={:?}", std::env::var("MISSING_VARIABLE").ok());

    println!("== stdin");
    let mut input = Vec::new();
    match io::stdin().read_to_end(&mut input) {
        Ok(n) => println!("stdin bytes={} lines={} fnv1a={:016x}", n, input.iter().filter(|&&b| b == b'\n').count(), fnv1a(&input)),
        Err(e) => {
            println!("FAIL stdin {:?}", e.kind());
            r.failures += 1;
        }
    }

    if let Err(e) = files(&mut r, Path::new(&args[1])) {
        println!("FAIL files aborted: {:?}", e.kind());
        r.failures += 1;
    }

    println!("== time");
    let t0 = Instant::now();
    let t1 = Instant::now();
    r.check("Instant is monotonic", t1 >= t0);
    std::thread::sleep(Duration::from_millis(15));
    let slept = t0.elapsed();
    r.check("sleep 15ms took at least 15ms", slept >= Duration::from_millis(15));
    r.check("sleep took less than 10s", slept < Duration::from_secs(10));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    r.check("SystemTime is after 2020 and before 2100", now > 1_577_836_800 && now < 4_102_444_800);

    println!("== random");
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    r.check("random_get 1", random_bytes(&mut a));
    r.check("random_get 2", random_bytes(&mut b));
    r.check("two draws differ", a != b);
    // HashMap's RandomState seeds itself from random_get as well
    let mut m = std::collections::HashMap::new();
    m.insert("k", 1);
    r.check("HashMap works", m.get("k") == Some(&1));

    eprintln!("wasi_walk_rs: stderr works");
    println!("failures={}", r.failures);
    println!("exit code {}", code);
    io::stdout().flush().ok();
    std::process::exit(code);
}
