#!/usr/bin/env Rscript
# Reference vectors for skafada-stats from R (stats package only, no CRAN
# packages): Fisher's exact test (2x2 with alternatives, exact r x c via the
# network algorithm), the Wilcoxon signed-rank test and p.adjust.
#
# Run from anywhere: Rscript crates/stats/reference/make_vectors.R
# Writes JSON into crates/stats/tests/fixtures/ next to this script's parent.

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out_dir <- file.path(dirname(normalizePath(script)), "..", "tests", "fixtures")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# Minimal JSON writer (no jsonlite dependency): numbers with 17 significant digits.
num <- function(x) {
  if (length(x) != 1 || !is.finite(x)) stop("non-finite or non-scalar value")
  if (x == round(x) && abs(x) < 1e15) format(x, scientific = FALSE) else sprintf("%.17g", x)
}
json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x))) {
      parts <- vapply(names(x), function(k) paste0('"', k, '":', json(x[[k]])), "")
      return(paste0("{", paste(parts, collapse = ","), "}"))
    }
    return(paste0("[", paste(vapply(x, json, ""), collapse = ","), "]"))
  }
  if (is.character(x)) return(paste0('"', x, '"'))
  if (is.logical(x)) return(if (x) "true" else "false")
  if (length(x) == 1 && is.null(attr(x, "array"))) return(num(x))
  paste0("[", paste(vapply(x, num, ""), collapse = ","), "]")
}
vec <- function(x) { attr(x, "array") <- TRUE; x }  # force a JSON array even for length 1
rows <- function(m) lapply(seq_len(nrow(m)), function(i) vec(as.numeric(m[i, ])))

write_cases <- function(name, cases) {
  source <- paste0("make_vectors.R with ", R.version.string)
  body <- paste(vapply(cases, json, ""), collapse = ",\n")
  writeLines(paste0('{"generated_by":"', source, '","cases":[\n', body, "\n]}"),
             file.path(out_dir, name))
  message(name, ": ", length(cases), " cases")
}

set.seed(20240601)

# ---------------------------------------------------------------- Fisher ----
fisher_tables <- list(
  matrix(c(12, 9, 5, 14), 2),
  matrix(c(3, 1, 1, 3), 2),
  matrix(c(0, 9, 7, 3), 2),
  matrix(c(100, 0, 0, 100), 2),
  matrix(c(200, 0, 0, 200), 2),
  matrix(c(490, 8, 10, 492), 2),
  matrix(c(1500, 1380, 1400, 1520), 2),
  matrix(c(10, 6, 3, 4, 8, 7, 2, 9, 11), 3),
  matrix(c(2, 1, 7, 8, 9, 3), 3),
  matrix(c(8, 0, 0, 0, 8, 0, 0, 0, 8), 3),
  matrix(c(15, 0, 0, 0, 15, 0, 0, 0, 15), 3),
  matrix(c(12, 1, 0, 0, 1, 12, 1, 0, 0, 1, 12, 0, 0, 0, 1, 12), 4),
  matrix(c(1, 2, 3, 4, 5, 4, 3, 2, 1, 0), 2),
  matrix(c(3, 0, 1, 0, 2, 2, 1, 1, 0, 4, 0, 2), 3)
)
shapes <- list(c(2, 3), c(2, 4), c(3, 3), c(2, 5), c(3, 4), c(4, 4), c(2, 6), c(5, 2), c(4, 3))
max_n <- c(90, 70, 45, 50, 30, 20, 40, 50, 30)
for (i in 1:40) {
  s <- sample(seq_along(shapes), 1)
  d <- shapes[[s]]
  n <- sample(8:max_n[s], 1)
  w <- sample(c(0, 0.2, 0.6), 1)
  p <- (1 - w) * outer(prop.table(rgamma(d[1], 3)), prop.table(rgamma(d[2], 3))) +
    w * matrix(prop.table(rgamma(prod(d), 1)), d[1])
  m <- matrix(rmultinom(1, n, as.vector(p)), d[1])
  if (all(rowSums(m) > 0) && all(colSums(m) > 0)) fisher_tables[[length(fisher_tables) + 1]] <- m
}
fisher_cases <- lapply(fisher_tables, function(m) {
  case <- list(table = rows(m),
               two_sided = fisher.test(m, workspace = 2e8)$p.value)
  if (all(dim(m) == 2)) {
    case$greater <- fisher.test(m, alternative = "greater")$p.value
    case$less <- fisher.test(m, alternative = "less")$p.value
  }
  case
})
write_cases("fisher.json", fisher_cases)

# -------------------------------------------------------------- Wilcoxon ----
wilcoxon_inputs <- list(
  list(x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
       y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)),
  list(x = c(3, 4, 5, 6), y = c(1, 2, 1, 2)),
  list(x = c(4, 5, 3, 4, 4, 2, 5, 4, 3, 4, 5, 4), y = c(3, 3, 3, 2, 4, 2, 4, 3, 3, 2, 4, 4)),
  list(x = 1:30 + 0.5, y = c(30:1) * 0.9)
)
for (i in 1:30) {
  n <- sample(c(5, 8, 12, 20, 35, 60, 150, 400), 1)
  if (i %% 3 == 0) {
    # Continuous, distinct differences: exact distribution applies (n < 50).
    x <- round(rnorm(n, 0, 1), 6)
    y <- round(x - rnorm(n, sample(c(0, 0.3, 1), 1), 1), 6)
  } else {
    # Likert pre/post with ties and zeros.
    x <- sample(1:5, n, replace = TRUE)
    shift <- sample(c(0, 0, 1), n, replace = TRUE) * sample(c(-1, 1, 1), 1)
    y <- pmin(5, pmax(1, x + shift + sample(-1:1, n, replace = TRUE)))
  }
  if (any(x != y)) wilcoxon_inputs[[length(wilcoxon_inputs) + 1]] <- list(x = x, y = y)
}
wilcoxon_cases <- list()
for (inp in wilcoxon_inputs) {
  d <- inp$x - inp$y
  d <- d[d != 0]
  exact_ok <- length(d) < 50 && length(unique(abs(d))) == length(d) && all(inp$x != inp$y)
  for (alt in c("two.sided", "greater", "less")) {
    for (correct in c(TRUE, FALSE)) {
      approx <- suppressWarnings(wilcox.test(inp$x, inp$y, paired = TRUE, exact = FALSE,
                                             correct = correct, alternative = alt))
      case <- list(x = vec(inp$x), y = vec(inp$y), alternative = alt, correct = correct,
                   statistic = unname(approx$statistic), normal_p = approx$p.value)
      if (exact_ok) {
        ex <- wilcox.test(inp$x, inp$y, paired = TRUE, exact = TRUE, alternative = alt)
        case$exact_p <- ex$p.value
      }
      wilcoxon_cases[[length(wilcoxon_cases) + 1]] <- case
    }
  }
}
write_cases("wilcoxon.json", wilcoxon_cases)

# -------------------------------------------------------------- p.adjust ----
adjust_cases <- list()
for (i in 1:15) {
  m <- sample(2:25, 1)
  p <- runif(m)^sample(c(1, 4, 12), 1)
  p[sample(m, 1)] <- p[1]  # a tie
  adjust_cases[[i]] <- list(p_values = vec(p), holm = vec(p.adjust(p, "holm")),
                            bh = vec(p.adjust(p, "BH")))
}
write_cases("adjust_r.json", adjust_cases)
