//go:build ignore

// Draws icon.png, the bundle's icon: an S3-style bucket holding log lines, on a dark
// rounded square. Run from this folder: go run icon_gen.go
package main

import (
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
)

const (
	size = 512
	ss   = 4 // supersampling per axis
)

var (
	bg     = color.NRGBA{0x0f, 0x1f, 0x3d, 0xff}
	amber  = color.NRGBA{0xf5, 0x9e, 0x0b, 0xff}
	rim    = color.NRGBA{0xfb, 0xbf, 0x24, 0xff}
	inside = color.NRGBA{0x92, 0x40, 0x0e, 0xff}
	line   = color.NRGBA{0x0f, 0x1f, 0x3d, 0xff}
)

func inEllipse(x, y, cx, cy, rx, ry float64) bool {
	dx, dy := (x-cx)/rx, (y-cy)/ry
	return dx*dx+dy*dy <= 1
}

func inRoundedSquare(x, y float64) bool {
	const r, lo, hi = 96.0, 0.0, float64(size)
	cx := math.Max(lo+r, math.Min(x, hi-r))
	cy := math.Max(lo+r, math.Min(y, hi-r))
	return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r
}

// sample returns the colour at a point, or transparent outside the icon.
func sample(x, y float64) color.NRGBA {
	if !inRoundedSquare(x, y) {
		return color.NRGBA{}
	}
	const top, bottom, cx = 150.0, 400.0, 256.0
	const topHalf, bottomHalf = 150.0, 110.0
	// The bucket's opening.
	if inEllipse(x, y, cx, top, topHalf-18, 22) {
		return inside
	}
	if inEllipse(x, y, cx, top, topHalf, 38) {
		return rim
	}
	// The body: a trapezoid with a rounded bottom.
	if y >= top && y <= bottom {
		f := (y - top) / (bottom - top)
		half := topHalf + (bottomHalf-topHalf)*f
		if math.Abs(x-cx) <= half {
			// Log lines across the body.
			for i, ly := range []float64{225, 272, 319} {
				lengths := []float64{1, 0.72, 0.86}
				left := cx - 96
				right := left + 192*lengths[i]
				if math.Abs(y-ly) <= 8 && x >= left && x <= right {
					return line
				}
			}
			return amber
		}
	}
	if inEllipse(x, y, cx, bottom, bottomHalf, 26) && y >= bottom {
		return amber
	}
	return bg
}

func main() {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					c := sample(float64(px)+(float64(sx)+0.5)/ss, float64(py)+(float64(sy)+0.5)/ss)
					af := float64(c.A) / 255
					r += float64(c.R) * af
					g += float64(c.G) * af
					b += float64(c.B) * af
					a += af
				}
			}
			n := float64(ss * ss)
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(r / a), G: uint8(g / a), B: uint8(b / a), A: uint8(math.Round(a / n * 255)),
			})
		}
	}
	f, err := os.Create("icon.png")
	if err != nil {
		log.Fatal(err)
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(f, img); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
