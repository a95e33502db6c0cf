//! QR codes: render an enrollment URI for a terminal, as SVG or PNG; read one back from an image.
//!
//! ```
//! use iamkit_otpauth::qr::{self, QrCode};
//! let uri = "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";
//! let code = QrCode::new(uri)?;
//! print!("{}", code.to_terminal(false)); // Unicode half blocks, for a dark terminal
//! let png: Vec<u8> = code.to_png()?;
//! assert_eq!(qr::decode_image(&png)?, uri);
//! # Ok::<(), iamkit_otpauth::Error>(())
//! ```
//!
//! A QR code of an `otpauth://` URI holds its secret: treat the images like the secret itself.

use crate::Error;
use qrcode::types::Color;
use qrcode::{EcLevel, render::svg, render::unicode::Dense1x2};
use zeroize::Zeroizing;

/// Default PNG module size, in pixels.
pub const PNG_SCALE: u32 = 8;
/// Largest PNG module size accepted by [`QrCode::to_png_with`] (larger values are clamped).
pub const MAX_PNG_SCALE: u32 = 64;
/// Largest quiet zone accepted by [`QrCode::to_png_with`] (larger values are clamped).
pub const MAX_QUIET_ZONE: u32 = 64;
/// The quiet zone (white border) around a QR code, in modules, as ISO/IEC 18004 asks.
pub const QUIET_ZONE: u32 = 4;
/// Images wider or taller than this are refused by [`decode_image`] (memory bound).
pub const MAX_IMAGE_SIDE: u32 = 8192;

/// A QR code of some text (usually an `otpauth://` or `otpauth-migration://` URI).
///
/// Error correction level M (15 %) when the text fits, else L, so that long URIs still fit.
pub struct QrCode {
    code: qrcode::QrCode,
}

impl core::fmt::Debug for QrCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The modules encode the URI, secret included: show only the size.
        f.debug_struct("QrCode")
            .field("width", &self.code.width())
            .finish_non_exhaustive()
    }
}

impl QrCode {
    /// Encodes `text` (byte mode for anything but digits/alphanumerics, chosen by `qrcode`).
    ///
    /// # Errors
    /// [`Error::QrTooLong`] when the text does not fit in a version 40 code.
    pub fn new(text: &str) -> Result<Self, Error> {
        let code = qrcode::QrCode::with_error_correction_level(text, EcLevel::M)
            .or_else(|_| qrcode::QrCode::with_error_correction_level(text, EcLevel::L))
            .map_err(|_| Error::QrTooLong { len: text.len() })?;
        Ok(QrCode { code })
    }

    /// Number of modules on a side (without the quiet zone).
    pub fn width(&self) -> usize {
        self.code.width()
    }

    /// Whether the module at (`x`, `y`) is dark; (0, 0) is the top-left corner.
    ///
    /// # Panics
    /// Never for coordinates below [`QrCode::width`]; out-of-range coordinates return `false`.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        let w = self.code.width();
        x < w && y < w && self.code[(x, y)] == Color::Dark
    }

    /// The code drawn with Unicode half blocks (`▀`, `▄`, `█`, space), two modules per
    /// character cell, with a 4-module quiet zone; lines end with `\n`.
    ///
    /// By default the light modules are drawn as blocks, which reads correctly on a terminal with
    /// a dark background; `invert = true` draws the dark modules as blocks, for light terminals.
    pub fn to_terminal(&self, invert: bool) -> String {
        let (dark, light) = if invert {
            (Dense1x2::Dark, Dense1x2::Light)
        } else {
            (Dense1x2::Light, Dense1x2::Dark)
        };
        let mut s = self
            .code
            .render::<Dense1x2>()
            .dark_color(dark)
            .light_color(light)
            .quiet_zone(true)
            .build();
        s.push('\n');
        s
    }

    /// The code as a standalone SVG document (black on white, 8 units per module, quiet zone).
    pub fn to_svg(&self) -> String {
        self.code
            .render::<svg::Color<'_>>()
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .module_dimensions(8, 8)
            .quiet_zone(true)
            .build()
    }

    /// The code as an 8-bit greyscale PNG, [`PNG_SCALE`] pixels per module and a
    /// [`QUIET_ZONE`]-module white border.
    ///
    /// # Errors
    /// [`Error::PngEncode`] if the PNG encoder fails (it should not, writing to memory).
    pub fn to_png(&self) -> Result<Vec<u8>, Error> {
        self.to_png_with(PNG_SCALE, QUIET_ZONE)
    }

    /// As [`QrCode::to_png`], with `scale` pixels per module (1 to [`MAX_PNG_SCALE`]) and a
    /// border of `quiet_zone` modules (at most [`MAX_QUIET_ZONE`]); out-of-range values are
    /// clamped.
    ///
    /// # Errors
    /// [`Error::PngEncode`] if the PNG encoder fails.
    pub fn to_png_with(&self, scale: u32, quiet_zone: u32) -> Result<Vec<u8>, Error> {
        let scale = scale.clamp(1, MAX_PNG_SCALE) as usize;
        let quiet = quiet_zone.min(MAX_QUIET_ZONE) as usize;
        let w = self.code.width();
        let side_modules = w + 2 * quiet;
        let side = side_modules * scale;
        // The pixels draw the URI, secret included: wiped when dropped.
        let mut pixels = Zeroizing::new(vec![0xFFu8; side * side]);
        for y in 0..w {
            for x in 0..w {
                if self.code[(x, y)] == Color::Dark {
                    for dy in 0..scale {
                        let row = ((y + quiet) * scale + dy) * side;
                        let start = row + (x + quiet) * scale;
                        pixels[start..start + scale].fill(0);
                    }
                }
            }
        }
        let side_u32 = u32::try_from(side).map_err(|_| Error::QrTooLong { len: side })?;
        // Deflate never grows data by more than a few bytes per 16 KiB block: reserved up
        // front, the encoded image is never reallocated (which would leave unwiped copies).
        let raw = side * (side + 1);
        let mut out = Vec::with_capacity(raw + raw / 1024 + 1024);
        {
            let mut enc = png::Encoder::new(&mut out, side_u32, side_u32);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header().map_err(Error::PngEncode)?;
            writer.write_image_data(&pixels).map_err(Error::PngEncode)?;
            writer.finish().map_err(Error::PngEncode)?;
        }
        Ok(out)
    }
}

/// Reads the first QR code found in a PNG or JPEG image and returns its text.
///
/// # Errors
/// [`Error::Image`] when the bytes are not a readable PNG/JPEG (or larger than
/// [`MAX_IMAGE_SIDE`] on a side), [`Error::NoQrCode`] when no code is found,
/// [`Error::QrDecode`] when a code is found but cannot be decoded.
pub fn decode_image(bytes: &[u8]) -> Result<String, Error> {
    let mut all = decode_image_all(bytes)?;
    if all.is_empty() {
        return Err(Error::NoQrCode);
    }
    Ok(all.swap_remove(0))
}

/// Reads every QR code found in a PNG or JPEG image, in the order the decoder finds them.
/// An image without any code gives an empty list.
///
/// # Errors
/// As [`decode_image`], except that no code found is not an error.
pub fn decode_image_all(bytes: &[u8]) -> Result<Vec<String>, Error> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    let reader = reader
        .with_guessed_format()
        .map_err(|e| Error::Image(e.into()))?;
    // The decoded pixels show the secret: the full-colour copy is wiped once converted.
    let img = match reader.decode().map_err(Error::Image)? {
        image::DynamicImage::ImageLuma8(luma) => luma,
        other => {
            let luma = other.to_luma8();
            drop(Zeroizing::new(other.into_bytes()));
            luma
        }
    };
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    let mut out = Vec::with_capacity(grids.len());
    let mut first_err = None;
    for grid in &grids {
        match grid.decode() {
            Ok((_, text)) => out.push(text),
            Err(e) => {
                first_err.get_or_insert_with(|| e.to_string());
            }
        }
    }
    match (out.is_empty(), first_err) {
        (true, Some(reason)) => Err(Error::QrDecode { reason }),
        _ => Ok(out),
    }
}
