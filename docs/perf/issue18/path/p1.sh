#!/usr/bin/env bash
# Path experiment 1: does vartrack answered with the chain ("x9 x3 v17") learn where the one-word root did not?
# From the mkq candidate (multikey 87% at 1,024), 128 tokens, multikey + vartrack-path, 4 answer slots.
R=/work/runs/issue18/run-7206566.sh; out=/work/runs/issue18/path/p1
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps ${1:-1500} --checkpoint-every 100 --eval-every 100 --eval-n 64 >> $out.log 2>&1
else
  $R --out $out --init-from /work/runs/issue18/mkq/s1/model --steps ${1:-1500} --seed 401 --task multikey,vartrack-path \
    --length 128 --queries 4 --answer-slots 4 --batch 16 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 5e-4 \
    --warmup 50 --checkpoint-every 100 --eval-every 100 --eval-n 64 > $out.log 2>&1
fi
