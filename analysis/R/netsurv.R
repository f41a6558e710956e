# netsurv.R: read the HDF5 files of netsurv into R data.frames (Debian's r-cran-hdf5r).
#
#   source("analysis/R/netsurv.R")
#   s   <- ns_summary("results/default.h5")      # one row per strategy (x point of a sweep)
#   ice <- ns_icer("results/default.h5")         # dampack's calculate_icers layout
#   psa <- ns_psa("results/default.h5")          # list(cost, effectiveness, parameters)
#   # dampack::make_psa_obj(psa$cost, psa$effectiveness, psa$parameters, names(psa$cost))
#   # BCEA::bcea(e = as.matrix(psa$effectiveness), c = as.matrix(psa$cost), ref = 1)
#
# HDF5 stores arrays row-major and hdf5r hands them to R (column-major) with the dimensions
# reversed: /psa/cost, described as [draw, strategy], arrives as strategy x draw. ns_read puts
# the dimensions back in the order the dataset's description states, so a matrix [draw,
# strategy] has one row per draw, as in Python. Index datasets (order, reference, ceaf, best,
# composite/strategy) are 0-based in the file; the data.frames below give strategy names.

suppressPackageStartupMessages(library(hdf5r))

ns_status_dampack <- c("ND", "D", "ED", "duplicate")   # /economics/status codes 0..3

# The value of dataset `name` of file `path` (or of an open H5File), with its dimensions in the
# order of the description ([draw, strategy] -> draws x strategies); strings as character.
ns_read <- function(path, name) {
  f <- if (inherits(path, "H5File")) path else H5File$new(path, mode = "r")
  on.exit(if (!inherits(path, "H5File")) f$close_all())
  d <- f[[name]]
  x <- d$read()        # hdf5r: dimensions reversed against the file's, [b, a] for [a, b]
  nd <- length(dim(x))
  if (nd >= 2) x <- aperm(x, rev(seq_len(nd)))
  x
}

# TRUE when open file f has the dataset or group `name` (each level checked in turn: HDF5
# refuses to test "a/b" when "a" is missing).
ns_has <- function(f, name) {
  parts <- strsplit(name, "/", fixed = TRUE)[[1]]
  for (k in seq_along(parts))
    if (!f$exists(paste(parts[seq_len(k)], collapse = "/"))) return(FALSE)
  TRUE
}

# The swept values of a sweep file: a data.frame with one row per point (point is 0-based, as
# the file's points), one column per swept path; NULL without /sweep.
ns_points <- function(path) {
  f <- H5File$new(path, mode = "r")
  on.exit(f$close_all())
  if (!ns_has(f, "sweep/points")) return(NULL)
  axes <- f[["sweep/axis"]][]
  pts <- lapply(axes, function(a) f[[paste0("sweep/points/", a)]][])
  out <- data.frame(point = seq_along(pts[[1]]) - 1L)
  for (k in seq_along(axes)) out[[axes[k]]] <- pts[[k]]
  out
}

# The per-strategy datasets of group `group` as a list of name -> value (dimensions as
# described), with the point dimension first in sweeps.
ns_group <- function(path, group) {
  f <- H5File$new(path, mode = "r")
  on.exit(f$close_all())
  if (!ns_has(f, group)) return(NULL)
  names <- f[[group]]$ls()$name
  out <- list()
  for (n in names) out[[n]] <- ns_read(f, paste0(group, "/", n))
  out
}

# One row per strategy (x point in a sweep): every per-strategy count and mean of /summary,
# each mean with its OUTCOME_ci_low and OUTCOME_ci_high columns.
ns_summary <- function(path) {
  g <- ns_group(path, "summary")
  strategy <- g$strategy
  S <- length(strategy)
  pts <- ns_points(path)
  skip <- c("strategy", "strategy_source", "modality", "qaly_part")
  one <- function(p) {
    df <- data.frame(strategy = strategy, stringsAsFactors = FALSE)
    for (n in names(g)) {
      v <- g[[n]]
      if (n %in% skip || grepl("_histogram$|_bin_start$", n) || is.character(v)) next
      if (is.null(pts)) {
        if (is.null(dim(v)) && length(v) == S) df[[n]] <- as.vector(v)
      } else if (length(dim(v)) == 2 && dim(v)[2] == S) {
        df[[n]] <- as.vector(v[p, ])
      }
    }
    df
  }
  if (is.null(pts)) return(one(NULL))
  do.call(rbind, lapply(seq_len(nrow(pts)), function(p) {
    cbind(pts[rep(p, S), , drop = FALSE], one(p), row.names = NULL)
  }))
}

# The long table: one row per strategy x outcome (x point), value, ci_low, ci_high (NA for
# counts), units.
ns_summary_long <- function(path) {
  w <- ns_summary(path)
  ids <- intersect(c("point", names(ns_points(path)), "strategy"), names(w))
  f <- H5File$new(path, mode = "r")   # after the readers above, which close their handles
  on.exit(f$close_all())
  outs <- setdiff(names(w), ids)
  outs <- outs[!grepl("_ci_low$|_ci_high$", outs)]
  rows <- lapply(outs, function(o) {
    units <- tryCatch(h5attr(f[[paste0("summary/", o)]], "units"), error = function(e) "")
    data.frame(w[ids], outcome = o, value = as.numeric(w[[o]]),
               ci_low = if (paste0(o, "_ci_low") %in% names(w)) w[[paste0(o, "_ci_low")]] else NA,
               ci_high = if (paste0(o, "_ci_high") %in% names(w)) w[[paste0(o, "_ci_high")]] else NA,
               units = units, stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

# /economics as a data.frame, one row per strategy (x point): cost, effect, status (label),
# reference (a strategy name, "" for none), incremental cost and effect, ICER, NMB.
ns_economics <- function(path, point = 1) {
  e <- ns_group(path, "economics")
  pick <- function(v) if (is.null(dim(v))) v else v[point, ]
  s <- e$strategy
  ref <- as.integer(pick(e$reference))
  data.frame(strategy = s, cost = pick(e$cost), effect = pick(e$effect),
             status = c("frontier", "dominated", "extended_dominated", "duplicate")[
               as.integer(pick(e$status)) + 1L],
             reference = ifelse(ref >= 0, s[pmax(ref, 0) + 1L], ""),
             incremental_cost = pick(e$incremental_cost),
             incremental_effect = pick(e$incremental_effect), icer = pick(e$icer),
             nmb = pick(e$nmb), stringsAsFactors = FALSE)
}

# The ICER table in dampack's calculate_icers layout (Strategy, Cost, Effect, Inc_Cost,
# Inc_Effect, ICER, Status ND/D/ED/duplicate): frontier rows by cost, then ED, then the rest,
# each by cost; increments only on the frontier. `point`: the sweep point (1-based in R).
ns_icer <- function(path, point = 1) {
  e <- ns_economics(path, point)
  code <- match(e$status, c("frontier", "dominated", "extended_dominated", "duplicate")) - 1L
  front <- code == 0L
  na <- function(v) ifelse(front & !is.nan(v), v, NA_real_)   # NaN in the file: none
  out <- data.frame(Strategy = e$strategy, Cost = e$cost, Effect = e$effect,
                    Inc_Cost = na(e$incremental_cost), Inc_Effect = na(e$incremental_effect),
                    ICER = na(e$icer), Status = ns_status_dampack[code + 1L],
                    stringsAsFactors = FALSE)
  block <- ifelse(code == 0L, 0L, ifelse(code == 2L, 1L, 2L))
  out <- out[order(block, out$Cost), ]
  rownames(out) <- NULL
  out
}

# The PSA draws: list(cost, effectiveness, parameters), data.frames of draws x strategies
# (columns named after the strategies) and draws x parameters; NULL without /psa.
ns_psa <- function(path) {
  f <- H5File$new(path, mode = "r")
  on.exit(f$close_all())
  if (!ns_has(f, "psa/cost")) return(NULL)
  s <- f[["summary/strategy"]][]
  cost <- as.data.frame(ns_read(f, "psa/cost"))
  eff <- as.data.frame(ns_read(f, "psa/effect"))
  names(cost) <- s
  names(eff) <- s
  params <- if (ns_has(f, "psa/values")) as.data.frame(ns_read(f, "psa/values")) else
    data.frame(row.names = seq_len(nrow(cost)))
  if (ns_has(f, "psa/values")) names(params) <- f[["psa/parameter"]][]
  list(cost = cost, effectiveness = eff, parameters = params)
}

# The per-risk-group outcomes (/summary_by_group, [strategy, group]) as a long data.frame
# (strategy, group, outcome, value); NULL when the file has no per-group answers.
ns_by_group <- function(path) {
  f <- H5File$new(path, mode = "r")
  on.exit(f$close_all())
  if (!ns_has(f, "groups/name") || !ns_has(f, "summary_by_group")) return(NULL)
  groups <- f[["groups/name"]][]
  s <- f[["summary/strategy"]][]
  rows <- list()
  for (n in f[["summary_by_group"]]$ls()$name) {
    v <- ns_read(f, paste0("summary_by_group/", n))
    if (length(dim(v)) != 2 || !identical(dim(v), c(length(s), length(groups)))) next
    rows[[n]] <- data.frame(strategy = rep(s, times = length(groups)),
                            group = rep(groups, each = length(s)), outcome = n,
                            value = as.vector(v), stringsAsFactors = FALSE)
  }
  do.call(rbind, rows)
}
