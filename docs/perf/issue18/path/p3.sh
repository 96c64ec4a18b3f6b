#!/usr/bin/env bash
# Path stage at 1,024 tokens: from p2 (vartrack-path 83% at 128), the issue's length, every family but the one-word
# vartrack (replaced by vartrack-path), multikey and vartrack-path twice; lr 3e-4 cosine to 5e-5 from step 500 to 800.
R=/work/runs/issue18/run-089b9d2.sh; out=/work/runs/issue18/path/p3
if [[ -f $out/checkpoint/trainer.json ]]; then
  $R --out $out --resume $out/checkpoint --steps ${1:-800} --checkpoint-every 50 --eval-every 200 --eval-n 32 >> $out.log 2>&1
else
  $R --out $out --init-from /work/runs/issue18/path/p2/model --steps ${1:-800} --seed 501 \
    --task needle,multikey,multikey,multivalue,vartrack-path,vartrack-path,count --length 1024 --queries 4 \
    --answer-slots 8 --batch 8 --layers 4 --d-model 128 --heads 4 --ffn 384 --lr 3e-4 --warmup 50 \
    --decay-from 500 --decay-to 800 --min-lr 5e-5 --checkpoint-every 50 --eval-every 200 --eval-n 32 > $out.log 2>&1
fi
