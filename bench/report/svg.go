package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

var colors = map[string]string{"eddy": "#1f77b4", "kinesalite": "#ff7f0e", "kinesis-local": "#2ca02c"}

const (
	chartWidth = 1000
	labelWidth = 280
	plotWidth  = 660
	barHeight  = 9
	rowGap     = 10
)

// panel is one log-scale bar chart of a metric per row and server.
type panel struct {
	title string
	value func(*Case) (float64, bool)
}

// chart draws records/s and server CPU per record, one bar per server and
// case, on log scales (the servers differ by orders of magnitude).
func chart(r *Results) string {
	panels := []panel{
		{"Acknowledged records/s (log scale; higher is better)", rate},
		{"Server CPU µs per record (log scale; lower is better)", func(c *Case) (float64, bool) {
			if c == nil || c.Status != "ok" || c.Report.Server == nil || c.Report.Server.CPUMicrosPerRec <= 0 {
				return 0, false
			}
			return c.Report.Server.CPUMicrosPerRec, true
		}},
	}
	rows := r.rows()
	rowH := len(servers)*barHeight + rowGap
	panelH := len(rows)*rowH + 60
	height := 40 + len(panels)*panelH
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	// legend
	x := labelWidth
	for _, s := range servers {
		fmt.Fprintf(&b, `<rect x="%d" y="12" width="12" height="12" fill="%s"/><text x="%d" y="22">%s</text>`+"\n", x, colors[s], x+16, s)
		x += 130
	}
	y := 40
	for _, p := range panels {
		drawPanel(&b, r, rows, p, y)
		y += panelH
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func drawPanel(b *strings.Builder, r *Results, rows []row, p panel, top int) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, w := range rows {
		for _, s := range servers {
			if v, ok := p.value(r.find(s, w.shards, w.workload, w.consumer)); ok && v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s</text>`+"\n", 10, top+14, html.EscapeString(p.title))
	if math.IsInf(lo, 1) {
		fmt.Fprintf(b, `<text x="%d" y="%d">no data</text>`+"\n", labelWidth, top+40)
		return
	}
	dlo, dhi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if dhi == dlo {
		dhi++
	}
	xOf := func(v float64) float64 {
		return labelWidth + (math.Log10(v)-dlo)/(dhi-dlo)*plotWidth
	}
	plotTop := top + 28
	rowH := len(servers)*barHeight + rowGap
	plotBottom := plotTop + len(rows)*rowH
	for d := dlo; d <= dhi; d++ {
		xx := xOf(math.Pow(10, d))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", xx, plotTop, xx, plotBottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%s</text>`+"\n", xx, plotBottom+14, tick(math.Pow(10, d)))
	}
	for i, w := range rows {
		y := plotTop + i*rowH
		label := fmt.Sprintf("%s, %d shards, %s", workloadLabel(w.workload), w.shards, consumerLabel(w.consumer))
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", labelWidth-8, y+barHeight*len(servers)/2+4, html.EscapeString(label))
		for j, s := range servers {
			c := r.find(s, w.shards, w.workload, w.consumer)
			by := y + j*barHeight
			v, ok := p.value(c)
			if !ok {
				fmt.Fprintf(b, `<text x="%d" y="%d" font-size="8" fill="#999">%s: %s</text>`+"\n", labelWidth+2, by+barHeight-1, s, missing(c))
				continue
			}
			x1 := xOf(v)
			fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`+"\n", labelWidth, by, math.Max(x1-labelWidth, 1), barHeight-1, colors[s], s, num(v))
			fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="8">%s</text>`+"\n", x1+3, by+barHeight-1, num(v))
		}
	}
}

func missing(c *Case) string {
	if c == nil {
		return "not run"
	}
	return c.Status
}

func tick(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%gk", v/1e3)
	}
	return fmt.Sprintf("%g", v)
}
