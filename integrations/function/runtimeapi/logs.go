package runtimeapi

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
)

// MaxLogLine is the longest line of a function's output logged as one
// record, in bytes; a longer line is cut there (the record marked
// truncated) and the rest of it dropped, so a process that never writes
// a newline costs a bounded buffer.
const MaxLogLine = 16 << 10

// logLines logs each line r gives as a record of logger, until r ends.
func logLines(r io.Reader, logger *slog.Logger, stream string) {
	br := bufio.NewReaderSize(r, MaxLogLine)
	ctx := context.Background()
	for {
		line, err := br.ReadSlice('\n')
		truncated := err == bufio.ErrBufferFull
		if len(line) > 0 {
			text := string(bytes.TrimRight(line, "\r\n"))
			if truncated {
				logger.LogAttrs(ctx, slog.LevelInfo, text, slog.String("stream", stream), slog.Bool("truncated", true))
			} else {
				logger.LogAttrs(ctx, slog.LevelInfo, text, slog.String("stream", stream))
			}
		}
		for err == bufio.ErrBufferFull { // drop the rest of a long line
			_, err = br.ReadSlice('\n')
		}
		if err != nil {
			return
		}
	}
}
