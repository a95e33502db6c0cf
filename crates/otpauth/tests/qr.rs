//! QR codes: our PNGs decode to exactly the URI with our decoder (rqrr) AND with an ordinary
//! reader, `zbarimg` (Debian's zbar-tools), for a spread of URIs including long ones and
//! Unicode labels; the terminal rendering is checked module by module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]
// Tests say on stderr what they skipped or seeded.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::Command;

use iamkit_otp::{Algorithm, Secret};
use iamkit_otpauth::{Error, OtpAuthUri, QrCode, migration, qr};

fn uris() -> Vec<String> {
    let s160 = || Secret::from_bytes(b"12345678901234567890").unwrap();
    let s512 = || Secret::from_bytes(&[0xA5; 64]).unwrap();
    let mut v = vec![
        OtpAuthUri::totp(s160(), "alice@example.com")
            .issuer("Example")
            .build()
            .unwrap(),
        OtpAuthUri::totp(s160(), "alice@123456789012")
            .build()
            .unwrap(),
        OtpAuthUri::hotp(s160(), "bob", 42)
            .issuer("Big Corporation")
            .build()
            .unwrap(),
        OtpAuthUri::steam(s160(), "gaben").build().unwrap(),
        OtpAuthUri::totp(s160(), "josé.müller@bücher.de 日本語 😀")
            .issuer("Ünïcødé Ltd 株式会社")
            .build()
            .unwrap(),
        OtpAuthUri::totp(
            s512(),
            "a-very-long-account-name.with.many.parts@subdomain.example-corporation.com",
        )
        .issuer("An Issuer Name That Goes On And On For Quite A While, Inc. & Partners (Europe)")
        .algorithm(Algorithm::Sha512)
        .digits(10)
        .period(120)
        .build()
        .unwrap(),
    ]
    .into_iter()
    .map(|u| u.to_uri().to_string())
    .collect::<Vec<_>>();
    // A full migration batch (10 accounts): the longest codes we emit.
    let accounts: Vec<OtpAuthUri> = (0..10)
        .map(|i| {
            OtpAuthUri::totp(
                Secret::from_bytes(&[i as u8 + 1; 20]).unwrap(),
                format!("user{i}@example.com"),
            )
            .issuer("Example")
            .build()
            .unwrap()
        })
        .collect();
    v.push(
        migration::export_with_batch_id(&accounts, 99)
            .unwrap()
            .uris()[0]
            .to_string(),
    );
    // Byte-mode data that is plain text but not a URI.
    v.push("otpauth://totp/x?secret=GEZDGNBVGY3TQOJQ".to_owned());
    v
}

#[test]
fn png_decodes_to_exactly_the_uri_with_our_decoder() {
    for uri in uris() {
        let png = QrCode::new(&uri).unwrap().to_png().unwrap();
        assert_eq!(qr::decode_image(&png).unwrap(), uri);
        let small = QrCode::new(&uri).unwrap().to_png_with(3, 4).unwrap();
        assert_eq!(qr::decode_image(&small).unwrap(), uri);
    }
}

#[test]
fn png_decodes_to_exactly_the_uri_with_zbarimg() {
    if !iamkit_testkit::tool("zbarimg", "Debian package zbar-tools") {
        return;
    }
    let zbar = "zbarimg";
    let dir = tempfile::tempdir().unwrap();
    for (i, uri) in uris().iter().enumerate() {
        let path = dir.path().join(format!("code{i}.png"));
        std::fs::write(&path, QrCode::new(uri).unwrap().to_png().unwrap()).unwrap();
        let out = Command::new(zbar)
            .args(["--raw", "-q"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "zbarimg failed on {uri}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            text.strip_suffix('\n').unwrap_or(&text),
            uri,
            "zbarimg read a different text"
        );
    }
}

#[test]
fn jpeg_screenshot_with_margin_decodes() {
    let uri = &uris()[0];
    let png = QrCode::new(uri).unwrap().to_png_with(5, 4).unwrap();
    let code = image::load_from_memory(&png).unwrap().to_luma8();
    // Paste it, off-centre, into a larger grey "screenshot", and save as JPEG.
    let mut shot =
        image::GrayImage::from_pixel(code.width() + 173, code.height() + 91, image::Luma([200]));
    image::imageops::overlay(&mut shot, &code, 101, 37);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&shot)
        .unwrap();
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    assert_eq!(&qr::decode_image(&jpeg).unwrap(), uri);
}

#[test]
fn several_codes_in_one_image_are_all_found() {
    let all = uris();
    let a = image::load_from_memory(&QrCode::new(&all[0]).unwrap().to_png_with(4, 4).unwrap())
        .unwrap()
        .to_luma8();
    let b = image::load_from_memory(&QrCode::new(&all[2]).unwrap().to_png_with(4, 4).unwrap())
        .unwrap()
        .to_luma8();
    let mut both = image::GrayImage::from_pixel(
        a.width() + b.width(),
        a.height().max(b.height()),
        image::Luma([255]),
    );
    image::imageops::overlay(&mut both, &a, 0, 0);
    image::imageops::overlay(&mut both, &b, i64::from(a.width()), 0);
    let mut png = Vec::new();
    both.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut found = qr::decode_image_all(&png).unwrap();
    found.sort();
    let mut want = vec![all[0].clone(), all[2].clone()];
    want.sort();
    assert_eq!(found, want);
}

#[test]
fn decode_errors() {
    assert!(matches!(
        qr::decode_image(b"not an image"),
        Err(Error::Image(_))
    ));
    let blank = image::GrayImage::from_pixel(64, 64, image::Luma([255]));
    let mut png = Vec::new();
    blank
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(matches!(qr::decode_image(&png), Err(Error::NoQrCode)));
    assert_eq!(qr::decode_image_all(&png).unwrap(), Vec::<String>::new());
}

#[test]
fn png_size_follows_scale_and_quiet_zone_and_is_clamped() {
    let code = QrCode::new("otpauth://totp/a?secret=GEZDGNBVGY3TQOJQ").unwrap();
    let side = |png: &[u8]| image::load_from_memory(png).unwrap().width() as usize;
    let w = code.width();
    assert_eq!(side(&code.to_png().unwrap()), (w + 8) * 8);
    assert_eq!(side(&code.to_png_with(3, 2).unwrap()), (w + 4) * 3);
    assert_eq!(side(&code.to_png_with(0, 0).unwrap()), w);
    assert_eq!(
        side(&code.to_png_with(u32::MAX, u32::MAX).unwrap()),
        (w + 128) * 64
    );
}

#[test]
fn too_long_for_any_qr_code() {
    let long = "A".repeat(5000);
    assert!(matches!(
        QrCode::new(&long),
        Err(Error::QrTooLong { len: 5000 })
    ));
}

/// Reads the half-block drawing back into modules: `true` where a block (foreground) is drawn.
fn unrender(text: &str) -> Vec<Vec<bool>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for ch in line.chars() {
            let (t, b) = match ch {
                ' ' => (false, false),
                '▀' => (true, false),
                '▄' => (false, true),
                '█' => (true, true),
                other => panic!("unexpected character {other:?}"),
            };
            top.push(t);
            bottom.push(b);
        }
        rows.push(top);
        rows.push(bottom);
    }
    rows
}

#[test]
fn terminal_rendering_matches_the_modules_with_a_quiet_zone() {
    for uri in uris() {
        let code = QrCode::new(&uri).unwrap();
        let w = code.width();
        let side = w + 8;
        for invert in [false, true] {
            let text = code.to_terminal(invert);
            assert!(text.ends_with('\n'));
            assert_eq!(text.lines().count(), side.div_ceil(2));
            let grid = unrender(&text);
            for y in 0..side {
                assert_eq!(grid[y].len(), side);
                for x in 0..side {
                    let in_code = (4..4 + w).contains(&x) && (4..4 + w).contains(&y);
                    let dark = in_code && code.is_dark(x - 4, y - 4);
                    // Dark terminal (default): light modules are drawn; light terminal: dark ones.
                    let drawn = if invert { dark } else { !dark };
                    assert_eq!(grid[y][x], drawn, "{uri} invert={invert} at ({x},{y})");
                }
            }
        }
    }
}

/// The dark modules an SVG draws: its white background must cover it all and its one path be
/// made of axis-aligned rectangles (`M x y h w v h H x V y`, as the qrcode crate writes them),
/// each on the 8-pixel module grid; returns the grid (side × side modules, true = dark).
fn svg_modules(svg: &str, side: usize) -> Vec<Vec<bool>> {
    let px = side * 8;
    let background =
        format!("<rect x=\"0\" y=\"0\" width=\"{px}\" height=\"{px}\" fill=\"#ffffff\"/>");
    assert!(svg.contains(&background), "no white background: {svg}");
    assert_eq!(svg.matches("<path ").count(), 1, "{svg}");
    let d = svg
        .split_once("<path fill=\"#000000\" d=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(d, _)| d)
        .unwrap_or_else(|| panic!("no black path: {svg}"));
    let mut grid = vec![vec![false; side]; side];
    for rect in d.split('M').skip(1) {
        // "x y h w v h H x V y"
        let nums: Vec<usize> = rect
            .split(|c: char| c == ' ' || c.is_ascii_alphabetic())
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap_or_else(|_| panic!("{rect}")))
            .collect();
        let shape: String = rect.chars().filter(char::is_ascii_alphabetic).collect();
        assert_eq!(shape, "hvHV", "not a rectangle: M{rect}");
        let [x, y, w, h, x2, y2] = nums[..] else {
            panic!("not a rectangle: M{rect}")
        };
        assert_eq!((x2, y2), (x, y), "not closed: M{rect}");
        assert!(
            [x, y, w, h].iter().all(|v| v % 8 == 0) && w > 0 && h > 0,
            "off the module grid: M{rect}"
        );
        assert!(x + w <= px && y + h <= px, "outside the image: M{rect}");
        for row in &mut grid[y / 8..(y + h) / 8] {
            for cell in &mut row[x / 8..(x + w) / 8] {
                assert!(!*cell, "drawn twice: M{rect}");
                *cell = true;
            }
        }
    }
    grid
}

#[test]
fn svg_is_a_complete_document_of_the_right_size() {
    let code = QrCode::new(&uris()[0]).unwrap();
    let svg = code.to_svg();
    let side = (code.width() + 8) * 8;
    assert!(svg.contains("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(&format!("width=\"{side}\"")), "{svg}");
    assert!(svg.contains("#000000") && svg.contains("#ffffff"));
}

#[test]
fn svg_draws_exactly_the_dark_modules_and_a_quiet_zone() {
    for uri in uris() {
        let code = QrCode::new(&uri).unwrap();
        let w = code.width();
        let side = w + 8;
        let grid = svg_modules(&code.to_svg(), side);
        for y in 0..side {
            for x in 0..side {
                let in_code = (4..4 + w).contains(&x) && (4..4 + w).contains(&y);
                let dark = in_code && code.is_dark(x - 4, y - 4);
                assert_eq!(grid[y][x], dark, "{uri}: module ({x},{y})");
            }
        }
    }
}

#[test]
fn debug_shows_no_content() {
    let code = QrCode::new(&uris()[0]).unwrap();
    let dbg = format!("{code:?}");
    assert!(!dbg.contains("secret") && !dbg.contains("GEZD"), "{dbg}");
}
