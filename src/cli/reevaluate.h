#pragma once
// sweep --spec S --reevaluate, executed by regal-run: every done run of the
// plan evaluated again from its best.pt (nothing trained), then the tables
// and the report rebuilt by the aggregate beside it. Under mpirun/srun the
// runs are shared among the ranks; in one process among child processes of
// this binary (one per core, or per GPU slot), each given a share with the
// hidden flag --share-of k/K. Every rank and child takes every K-th run of
// the same plan, so no run is evaluated twice.
#include <boost/program_options.hpp>

namespace regal::cli {

int reevaluate(const boost::program_options::variables_map& vm, int argc, char** argv);

}  // namespace regal::cli
